/**
 * create_usage_price: a metered price on a product (kind billing.configure) — a free allowance each period,
 * then graduated tiers; a tier's flat amount is a commitment charged once the tier is reached.
 */
import { z } from 'zod';
import { badInput, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, writeContextFields } from './write-fields.ts';

/** Input of create_usage_price. */
export const createUsagePriceInput = z
  .object({
    product: z.string().min(1).max(200),
    metric: z.string().regex(/^[a-z][a-z0-9_]{0,60}$/, 'a metric name like api_calls'),
    currency: currencyCode,
    interval: z.enum(['month', 'year']).default('month'),
    free_allowance: z.number().int().min(0).default(0),
    tiers: z
      .array(
        z
          .object({
            up_to: z.number().int().min(1).nullable(),
            unit_amount: z.number().int().min(0),
            flat_amount: z.number().int().min(0).default(0),
          })
          .strict(),
      )
      .min(1)
      .max(10),
    nickname: z.string().max(100).optional(),
    ...writeContextFields,
  })
  .strict();

/** Creates a metered price. */
export const createUsagePrice = defineWrite({
  name: 'create_usage_price',
  description:
    'Create a usage (metered) price on a product: a free allowance per period, then graduated tiers (units up to N at a unit amount, plus an optional flat commitment per tier).',
  kind: 'billing.configure',
  input: createUsagePriceInput,
  destructive: false,
  async facts(_context, input, connector) {
    const products = await connector.listProducts();
    const product = products.find(
      (candidate) => candidate.id === input.product || candidate.name.toLowerCase() === input.product.toLowerCase(),
    );
    if (!product) throw notFound('product', input.product);
    input.tiers.forEach((tier, index) => {
      const last = index === input.tiers.length - 1;
      if (last !== (tier.up_to === null)) throw badInput('tiers', 'only the last tier is open-ended (up_to: null)');
      const previous = input.tiers[index - 1]?.up_to;
      if (tier.up_to !== null && previous != null && tier.up_to <= previous)
        throw badInput('tiers', 'tiers must go up: each up_to above the one before');
    });
    const show = (amount: number) => formatMoney(money(amount, input.currency));
    const tiers = input.tiers
      .map(
        (tier) =>
          `${tier.up_to === null ? 'beyond' : `up to ${tier.up_to.toLocaleString('en-US')}`}: ${show(tier.unit_amount)} each${
            tier.flat_amount ? ` + ${show(tier.flat_amount)} commitment` : ''
          }`,
      )
      .join('; ');
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Add a ${input.metric} price to ${product.name}: ${input.free_allowance.toLocaleString('en-US')} free per ${input.interval}, then ${tiers}`,
        changes: [{ field: 'price', from: null, to: `${product.name} ${input.metric}` }],
        money: null,
        customers: [],
        targets: [product.id],
        reversible: true,
        details: { tiers: input.tiers },
      },
      subjects: {},
      bound: { productId: product.id, metric: input.metric, currency: input.currency },
    };
  },
  async execute(input, connector, idempotencyKey, bound) {
    return connector.createPrice(
      {
        productId: String(bound.productId),
        nickname: input.nickname ?? `${input.metric} usage`,
        currency: input.currency,
        interval: input.interval,
        scheme: 'tiered',
        tiers: input.tiers.map((tier) => ({
          upTo: tier.up_to,
          unitAmount: tier.unit_amount,
          flatAmount: tier.flat_amount,
        })),
        usageMetric: input.metric,
        freeAllowance: input.free_allowance,
      },
      { idempotencyKey },
    );
  },
});
