/** change_plan: move a subscription to another price, with exact proration in the preview (kind billing.change). */
import { z } from 'zod';
import { badInput, invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { personDate } from '../domain/person-time.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of change_plan. */
export const changePlanInput = z
  .object({
    subscription_id: idOf('sub', 'subscription'),
    price_id: idOf('price', 'price'),
    quantity: z.number().int().min(1).max(100_000).optional(),
    /** true (default): switch now and bill or credit the proration; false: switch at the next renewal, nothing due now. */
    prorate: z.boolean().default(true),
    ...writeContextFields,
  })
  .strict();

/** Upgrades or downgrades a subscription; the proration is billed (or credited) at once. */
export const changePlan = defineWrite({
  name: 'change_plan',
  description: 'Upgrade or downgrade a subscription to another price; the preview shows the exact proration lines.',
  kind: 'billing.change',
  input: changePlanInput,
  destructive: false,
  async facts(_context, input, connector) {
    const subscription = await connector.getSubscription(input.subscription_id);
    if (!subscription) throw notFound('subscription', input.subscription_id);
    if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
    const price = await connector.getPrice(input.price_id);
    if (!price) throw notFound('price', input.price_id);
    if (price.currency !== subscription.currency) {
      throw badInput(
        'price_id',
        `price ${price.id} is in ${price.currency.toUpperCase()}, the subscription bills in ${subscription.currency.toUpperCase()}`,
      );
    }
    const [customer, product, preview] = await Promise.all([
      connector.getCustomer(subscription.customerId),
      connector.getProduct(price.productId),
      connector.previewPlanChange({
        subscriptionId: subscription.id,
        priceId: price.id,
        ...(input.quantity ? { quantity: input.quantity } : {}),
        prorate: input.prorate,
      }),
    ]);
    const show = (value: number) => formatMoney(money(value, subscription.currency));
    const fromPriceId = subscription.items[0]?.priceId ?? '';
    return {
      decision: {
        // Nothing due now (a switch at renewal, or a change at the period's edge) moves no money.
        ...(preview.amountDue !== 0
          ? { money: { amount: Math.abs(preview.amountDue), currency: subscription.currency } }
          : {}),
        customerIds: [subscription.customerId],
        targetCount: 1,
        reversible: true,
      },
      preview: {
        summary: input.prorate
          ? `Move ${customer?.name ?? subscription.customerId} to ${product?.name ?? price.productId} ${price.nickname || price.id}: ${preview.amountDue >= 0 ? `${show(preview.amountDue)} due now` : `${show(-preview.amountDue)} credited`}, then ${show(preview.nextRenewalAmount)} per ${price.interval ?? 'period'}`
          : `Move ${customer?.name ?? subscription.customerId} to ${product?.name ?? price.productId} ${price.nickname || price.id} at the next renewal (${personDate(subscription.currentPeriodEnd)}), without proration: ${show(preview.amountDue)} due now, then ${show(preview.nextRenewalAmount)} per ${price.interval ?? 'period'}`,
        changes: [
          { field: `subscription ${subscription.id} price`, from: fromPriceId, to: price.id },
          { field: 'proration', from: null, to: input.prorate ? 'billed now' : 'none (from the next renewal)' },
        ],
        money: { amount: preview.amountDue, currency: subscription.currency },
        customers: [{ id: subscription.customerId, name: customer?.name ?? '' }],
        targets: [subscription.id],
        reversible: true,
        details: {
          prorationDate: preview.prorationDate,
          lines: preview.lines,
          nextRenewalAmount: preview.nextRenewalAmount,
        },
      },
      subjects: { customerId: subscription.customerId },
      // The proration amount moves with the clock, so the approval binds the subscription and prices, not it.
      bound: {
        subscriptionId: subscription.id,
        customerId: subscription.customerId,
        fromPriceId,
        toPriceId: price.id,
        quantity: input.quantity ?? null,
        prorate: input.prorate,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.changePlan(
      {
        subscriptionId: input.subscription_id,
        priceId: input.price_id,
        ...(input.quantity ? { quantity: input.quantity } : {}),
        prorate: input.prorate,
      },
      { idempotencyKey },
    );
  },
});
