/** create_coupon: a percentage or fixed discount, optionally limited to countries (kind billing.configure). */
import { z } from 'zod';
import { badInput, LeashError } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, writeContextFields } from './write-fields.ts';

/** Input of create_coupon. */
export const createCouponInput = z
  .object({
    code: z.string().regex(/^[A-Z0-9_-]{2,40}$/, 'upper-case letters, digits, - and _ (e.g. SUMMER20)'),
    name: z.string().min(1).max(200),
    percent_off: z.number().min(0.01).max(100).optional(),
    amount_off: z.number().int().min(1).optional(),
    currency: currencyCode.optional(),
    duration: z.enum(['once', 'repeating', 'forever']),
    duration_in_months: z.number().int().min(1).max(60).optional(),
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/))
      .max(50)
      .optional(),
    max_redemptions: z.number().int().min(1).optional(),
    ...writeContextFields,
  })
  .strict();

/** Creates a coupon. Percentages are kept in basis points (20% → 2000). */
export const createCoupon = defineWrite({
  name: 'create_coupon',
  description:
    'Create a coupon: percent_off or amount_off (minor units + currency), once/repeating/forever, optionally for some countries only.',
  kind: 'billing.configure',
  input: createCouponInput,
  destructive: false,
  async facts(_context, input, connector) {
    if ((input.percent_off === undefined) === (input.amount_off === undefined))
      throw badInput('percent_off', 'give exactly one of percent_off or amount_off');
    if (input.amount_off !== undefined && !input.currency)
      throw badInput('currency', 'an amount_off coupon needs a currency');
    if (input.duration === 'repeating' && !input.duration_in_months)
      throw badInput('duration_in_months', 'a repeating coupon needs duration_in_months');
    if (await connector.getCoupon(input.code)) throw new LeashError('conflict', `coupon ${input.code} already exists`);
    const off =
      input.percent_off !== undefined
        ? `${input.percent_off}% off`
        : `${formatMoney(money(input.amount_off ?? 0, input.currency ?? 'usd'))} off`;
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Create coupon ${input.code}: ${off}, ${input.duration === 'repeating' ? `for ${input.duration_in_months} months` : input.duration}${input.countries?.length ? `, only in ${input.countries.join(', ')}` : ''}`,
        changes: [
          { field: 'coupon', from: null, to: input.code },
          { field: 'coupon name', from: null, to: input.name },
        ],
        money: null,
        customers: [],
        targets: [],
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: {
        code: input.code,
        percentOff: input.percent_off ?? null,
        amountOff: input.amount_off ?? null,
        duration: input.duration,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.createCoupon(
      {
        code: input.code,
        name: input.name,
        ...(input.percent_off !== undefined ? { percentOffBps: Math.round(input.percent_off * 100) } : {}),
        ...(input.amount_off !== undefined ? { amountOff: input.amount_off } : {}),
        ...(input.currency ? { currency: input.currency } : {}),
        duration: input.duration,
        ...(input.duration_in_months ? { durationInMonths: input.duration_in_months } : {}),
        ...(input.countries ? { countries: input.countries } : {}),
        ...(input.max_redemptions ? { maxRedemptions: input.max_redemptions } : {}),
      },
      { idempotencyKey },
    );
  },
});
