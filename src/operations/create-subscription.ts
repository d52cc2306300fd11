/** create_subscription: start a customer on a price, with an optional coupon and trial (kind billing.change). */
import { z } from 'zod';
import { badInput, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of create_subscription. */
export const createSubscriptionInput = z
  .object({
    customer_id: idOf('cus', 'customer'),
    price_id: idOf('price', 'price'),
    quantity: z.number().int().min(1).max(100_000).default(1),
    coupon_id: z.string().min(1).max(100).optional(),
    trial_days: z.number().int().min(0).max(365).optional(),
    ...writeContextFields,
  })
  .strict();

/** Starts a subscription; the first invoice is issued now unless a trial runs first. */
export const createSubscription = defineWrite({
  name: 'create_subscription',
  description: 'Start a subscription for a customer on a price (quantity, optional coupon and trial days).',
  kind: 'billing.change',
  input: createSubscriptionInput,
  destructive: false,
  async facts(_context, input, connector) {
    const customer = await connector.getCustomer(input.customer_id);
    if (!customer) throw notFound('customer', input.customer_id);
    const price = await connector.getPrice(input.price_id);
    if (!price?.active) throw notFound('price', input.price_id);
    if (price.currency !== customer.currency)
      throw badInput(
        'price_id',
        `${customer.name} is billed in ${customer.currency.toUpperCase()}, the price is in ${price.currency.toUpperCase()}`,
      );
    const coupon = input.coupon_id ? await connector.getCoupon(input.coupon_id) : undefined;
    if (input.coupon_id && !coupon) throw notFound('coupon', input.coupon_id);
    const product = await connector.getProduct(price.productId);
    const perPeriod = price.unitAmount * input.quantity;
    const trial = input.trial_days ?? price.trialDays;
    return {
      decision: {
        money: { amount: perPeriod, currency: price.currency },
        customerIds: [customer.id],
        targetCount: 1,
        reversible: true,
      },
      preview: {
        summary: `Subscribe ${customer.name} to ${product?.name ?? price.productId} at ${formatMoney(money(perPeriod, price.currency))} per ${price.interval ?? 'period'}${trial ? ` after a ${trial}-day trial` : ''}${coupon ? ` with ${coupon.code}` : ''}`,
        changes: [{ field: 'subscription', from: null, to: `${price.id} × ${input.quantity}` }],
        money: { amount: perPeriod, currency: price.currency },
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.id],
        reversible: true,
        details: { trialDays: trial, limits: product?.limits ?? {} },
      },
      subjects: { customerId: customer.id },
      bound: { customerId: customer.id, priceId: price.id, quantity: input.quantity, couponId: coupon?.id ?? null },
    };
  },
  async execute(input, connector, idempotencyKey, bound) {
    return connector.createSubscription(
      {
        customerId: input.customer_id,
        items: [{ priceId: input.price_id, quantity: input.quantity }],
        ...(bound.couponId ? { couponId: String(bound.couponId) } : {}),
        ...(input.trial_days !== undefined ? { trialDays: input.trial_days } : {}),
      },
      { idempotencyKey },
    );
  },
});
