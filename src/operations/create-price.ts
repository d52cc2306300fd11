/** create_price: a price of a product: flat, per unit or tiered usage, monthly, annual or one-off (kind billing.configure). */
import { z } from 'zod';
import { notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, idOf, writeContextFields } from './write-fields.ts';

const amount = z.number().int().min(0).max(100_000_000_000);

/** Input of create_price. */
export const createPriceInput = z
  .object({
    product_id: idOf('prod', 'product'),
    nickname: z.string().max(200).optional(),
    currency: currencyCode,
    interval: z.enum(['month', 'year']).nullable(),
    scheme: z.enum(['flat', 'per_unit', 'tiered']),
    unit_amount: amount.default(0),
    tiers: z
      .array(
        z
          .object({ up_to: z.number().int().min(1).nullable(), unit_amount: amount, flat_amount: amount.default(0) })
          .strict(),
      )
      .max(20)
      .optional(),
    usage_metric: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .optional(),
    free_allowance: z.number().int().min(0).default(0),
    trial_days: z.number().int().min(0).max(365).default(0),
    ...writeContextFields,
  })
  .strict();

/** Creates a price. */
export const createPrice = defineWrite({
  name: 'create_price',
  description:
    'Add a price to a product: flat or per-unit amount, or graduated usage tiers with a free allowance; monthly, annual or one-off.',
  kind: 'billing.configure',
  input: createPriceInput,
  destructive: false,
  async facts(_context, input, connector) {
    const product = await connector.getProduct(input.product_id);
    if (!product) throw notFound('product', input.product_id);
    const what =
      input.scheme === 'tiered'
        ? `${input.tiers?.length ?? 0} usage tiers on ${input.usage_metric ?? 'usage'} (first ${input.free_allowance} free)`
        : `${formatMoney(money(input.unit_amount, input.currency))}${input.scheme === 'per_unit' ? ' per unit' : ''}`;
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Add a price to ${product.name}: ${what}${input.interval ? ` per ${input.interval}` : ' one-off'}${input.trial_days ? `, ${input.trial_days}-day trial` : ''}`,
        changes: [
          { field: `product ${product.name} price`, from: null, to: what },
          { field: 'pricing', from: null, to: input.scheme.replace('_', ' ') },
        ],
        money: null,
        customers: [],
        targets: [product.id],
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: {
        productId: product.id,
        currency: input.currency,
        interval: input.interval,
        scheme: input.scheme,
        unitAmount: input.unit_amount,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.createPrice(
      {
        productId: input.product_id,
        ...(input.nickname ? { nickname: input.nickname } : {}),
        currency: input.currency,
        interval: input.interval,
        scheme: input.scheme,
        unitAmount: input.unit_amount,
        tiers: (input.tiers ?? []).map((tier) => ({
          upTo: tier.up_to,
          unitAmount: tier.unit_amount,
          flatAmount: tier.flat_amount,
        })),
        usageMetric: input.usage_metric ?? null,
        freeAllowance: input.free_allowance,
        trialDays: input.trial_days,
      },
      { idempotencyKey },
    );
  },
});
