/**
 * create_plan: a plan in one step (kind billing.configure) — the product with its limits and overage rule,
 * a monthly price, and an annual price at a discount, with an optional trial. Each object is written with its
 * own key derived from the proposal's, so a retried execution creates nothing twice.
 */
import { z } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { formatMoney, money, percentOf } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of create_plan. */
export const createPlanInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).optional(),
    limits: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/), z.number().int().min(0).nullable()).default({}),
    overage: z.string().max(500).optional(),
    currency: currencyCode,
    monthly_amount: minorUnits,
    /** Percent off twelve monthly payments for the annual price; absent: no annual price. */
    annual_discount_percent: z.number().min(0).max(90).optional(),
    trial_days: z.number().int().min(0).max(365).default(0),
    ...writeContextFields,
  })
  .strict();

/** The annual amount: twelve months less the discount, rounded half away from zero. */
export function annualAmount(monthly: number, discountPercent: number): number {
  return monthly * 12 - percentOf(monthly * 12, Math.round(discountPercent * 100));
}

/** Creates a plan with its prices. */
export const createPlan = defineWrite({
  name: 'create_plan',
  description:
    'Create a plan: product with limits (seats, api_calls, projects…) and overage rule, a monthly price, an optional annual price at a discount, and an optional trial.',
  kind: 'billing.configure',
  input: createPlanInput,
  destructive: false,
  async facts(_context, input, connector) {
    const existing = (await connector.listProducts()).find(
      (product) => product.name.toLowerCase() === input.name.toLowerCase() && product.active,
    );
    if (existing) throw new LeashError('conflict', `a plan named ${existing.name} already exists (${existing.id})`);
    const monthly = formatMoney(money(input.monthly_amount, input.currency));
    const annual =
      input.annual_discount_percent !== undefined
        ? annualAmount(input.monthly_amount, input.annual_discount_percent)
        : null;
    const limits = Object.entries(input.limits)
      .map(([limit, value]) => `${limit} ${value === null ? 'unlimited' : value.toLocaleString('en-US')}`)
      .join(', ');
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Create plan ${input.name}: ${monthly}/month${
          annual !== null
            ? ` or ${formatMoney(money(annual, input.currency))}/year (${input.annual_discount_percent}% off)`
            : ''
        }${input.trial_days ? `, ${input.trial_days}-day trial` : ''}${limits ? `; limits: ${limits}` : ''}`,
        changes: [
          { field: 'product', from: null, to: input.name },
          { field: 'monthly price', from: null, to: monthly },
          ...(annual !== null
            ? [{ field: 'annual price', from: null, to: formatMoney(money(annual, input.currency)) }]
            : []),
        ],
        money: null,
        customers: [],
        targets: [],
        reversible: true,
        details: { limits: input.limits, overage: input.overage ?? '' },
      },
      subjects: {},
      bound: { name: input.name, currency: input.currency, monthly: input.monthly_amount, annual },
    };
  },
  async execute(input, connector, idempotencyKey, bound) {
    const product = await connector.createProduct(
      {
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        limits: input.limits,
        ...(input.overage ? { overage: input.overage } : {}),
      },
      { idempotencyKey: `${idempotencyKey}:product` },
    );
    const price = (interval: 'month' | 'year', amount: number) =>
      connector.createPrice(
        {
          productId: product.id,
          nickname: `${input.name} ${interval === 'month' ? 'monthly' : 'annual'}`,
          currency: input.currency,
          interval,
          scheme: 'flat',
          unitAmount: amount,
          trialDays: input.trial_days,
        },
        { idempotencyKey: `${idempotencyKey}:${interval}` },
      );
    const monthly = await price('month', input.monthly_amount);
    const annual = typeof bound.annual === 'number' ? await price('year', bound.annual) : null;
    return { product, prices: annual ? [monthly, annual] : [monthly] };
  },
});
