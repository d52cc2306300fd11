/** remove_coupon: take the coupon off a subscription; later invoices bill at full price (kind billing.change). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of remove_coupon. */
export const removeCouponInput = z
  .object({ subscription_id: idOf('sub', 'subscription'), ...writeContextFields })
  .strict();

/** Removes a subscription's discount. */
export const removeCoupon = defineWrite({
  name: 'remove_coupon',
  description: 'Remove the coupon from a subscription; its next invoices bill at full price.',
  kind: 'billing.change',
  input: removeCouponInput,
  destructive: false,
  async facts(_context, input, connector) {
    const subscription = await connector.getSubscription(input.subscription_id);
    if (!subscription) throw notFound('subscription', input.subscription_id);
    if (!subscription.couponId) throw invalidState(`subscription ${subscription.id} has no coupon`);
    const customer = await connector.getCustomer(subscription.customerId);
    return {
      decision: { customerIds: [subscription.customerId], targetCount: 1, reversible: true },
      preview: {
        summary: `Remove coupon ${subscription.couponId} from ${customer?.name ?? subscription.customerId}'s subscription`,
        changes: [{ field: `subscription ${subscription.id} coupon`, from: subscription.couponId, to: null }],
        money: null,
        customers: [{ id: subscription.customerId, name: customer?.name ?? '' }],
        targets: [subscription.id],
        reversible: true,
        details: {},
      },
      subjects: { customerId: subscription.customerId },
      bound: { subscriptionId: subscription.id, customerId: subscription.customerId, couponId: subscription.couponId },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.removeCoupon({ subscriptionId: input.subscription_id }, { idempotencyKey });
  },
});
