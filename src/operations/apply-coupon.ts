/** apply_coupon: put a coupon on a subscription, or on a customer's one live subscription (kind billing.change). */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Subscription } from '../domain/billing.ts';
import { badInput, invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of apply_coupon: subscription_id or customer_id, and a coupon id or code. */
export const applyCouponInput = z
  .object({
    subscription_id: idOf('sub', 'subscription').optional(),
    customer_id: idOf('cus', 'customer').optional(),
    coupon_id: z.string().min(1).max(100),
    ...writeContextFields,
  })
  .strict();

/** Finds the one live subscription the input names. */
export async function targetSubscription(
  connector: BillingConnector,
  input: { subscription_id?: string | undefined; customer_id?: string | undefined },
): Promise<Subscription> {
  if (input.subscription_id) {
    const subscription = await connector.getSubscription(input.subscription_id);
    if (!subscription) throw notFound('subscription', input.subscription_id);
    return subscription;
  }
  if (!input.customer_id) throw badInput('subscription_id', 'give subscription_id or customer_id');
  const customer = await connector.getCustomer(input.customer_id);
  if (!customer) throw notFound('customer', input.customer_id);
  const live = (await connector.listSubscriptions({ customerId: customer.id })).filter(
    (subscription) => subscription.status !== 'canceled',
  );
  if (live.length === 0) throw invalidState(`${customer.name} has no live subscription`);
  if (live.length > 1) {
    throw badInput(
      'customer_id',
      `${customer.name} has ${live.length} live subscriptions (${live.map((subscription) => subscription.id).join(', ')}); name one with subscription_id`,
    );
  }
  return live[0] as Subscription;
}

/** Applies a coupon; the preview says what it takes off. */
export const applyCoupon = defineWrite({
  name: 'apply_coupon',
  description: "Apply a coupon (id or code) to a subscription, or to a customer's single live subscription.",
  kind: 'billing.change',
  input: applyCouponInput,
  destructive: false,
  async facts(_context, input, connector) {
    const subscription = await targetSubscription(connector, input);
    if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
    const coupon = await connector.getCoupon(input.coupon_id);
    if (!coupon?.valid) throw notFound('coupon', input.coupon_id);
    const customer = await connector.getCustomer(subscription.customerId);
    if (coupon.countries.length > 0 && customer && !coupon.countries.includes(customer.country)) {
      throw invalidState(
        `coupon ${coupon.code} is only for ${coupon.countries.join(', ')}; ${customer.name} is in ${customer.country}`,
      );
    }
    const off =
      coupon.percentOffBps !== null
        ? `${coupon.percentOffBps / 100}% off`
        : `${formatMoney(money(coupon.amountOff ?? 0, coupon.currency ?? subscription.currency))} off`;
    const lasts =
      coupon.duration === 'repeating'
        ? `for ${coupon.durationInMonths} months`
        : coupon.duration === 'once'
          ? 'on the next invoice'
          : 'forever';
    return {
      decision: { customerIds: [subscription.customerId], targetCount: 1, reversible: true },
      preview: {
        summary: `Apply ${coupon.code} (${off} ${lasts}) to ${customer?.name ?? subscription.customerId}'s subscription`,
        changes: [{ field: `subscription ${subscription.id} coupon`, from: subscription.couponId, to: coupon.id }],
        money: null,
        customers: [{ id: subscription.customerId, name: customer?.name ?? '' }],
        targets: [subscription.id],
        reversible: true,
        details: { couponCode: coupon.code, replaces: subscription.couponId },
      },
      subjects: { customerId: subscription.customerId },
      bound: { subscriptionId: subscription.id, customerId: subscription.customerId, couponId: coupon.id },
    };
  },
  async execute(_input, connector, idempotencyKey, bound) {
    return connector.applyCoupon(
      { subscriptionId: String(bound.subscriptionId), couponId: String(bound.couponId) },
      { idempotencyKey },
    );
  },
});
