/** list_plans: the plans (products) on sale, each with its prices, in two queries. */
import { z } from 'zod';
import { defineRead } from './define-operation.ts';

/** Input of list_plans. */
export const listPlansInput = z
  .object({
    include_inactive: z.boolean().default(false),
  })
  .strict();

/** Lists the org's plans with their prices, oldest plan first. */
export const listPlans = defineRead({
  name: 'list_plans',
  description:
    'List the plans that are available (products with their limits and prices: currency, interval, amount in minor units, trial days); include_inactive adds plans and prices no longer sold.',
  kind: 'data.read',
  input: listPlansInput,
  async run(_context, input, connector) {
    const [products, prices] = await Promise.all([connector.listProducts(), connector.listPrices()]);
    const plans = products
      .filter((product) => input.include_inactive || product.active)
      .map((product) => ({
        product: {
          id: product.id,
          name: product.name,
          description: product.description,
          limits: product.limits,
          active: product.active,
        },
        prices: prices
          .filter((price) => price.productId === product.id && (input.include_inactive || price.active))
          .map((price) => ({
            id: price.id,
            nickname: price.nickname,
            currency: price.currency,
            interval: price.interval,
            scheme: price.scheme,
            unitAmount: price.unitAmount,
            usageMetric: price.usageMetric,
            tiers: price.tiers,
            active: price.active,
            trialDays: price.trialDays,
          })),
      }));
    return { plans };
  },
});
