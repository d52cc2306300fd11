/** cancel_subscription: cancel now (cannot be undone) or at the end of the period (kind billing.cancel). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { personDate } from '../domain/person-time.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of cancel_subscription. */
export const cancelSubscriptionInput = z
  .object({
    subscription_id: idOf('sub', 'subscription'),
    at_period_end: z.boolean(),
    ...writeContextFields,
  })
  .strict();

/** Cancels a subscription. */
export const cancelSubscription = defineWrite({
  name: 'cancel_subscription',
  description: 'Cancel a subscription now (irreversible) or at the end of its current period.',
  kind: 'billing.cancel',
  input: cancelSubscriptionInput,
  destructive: true,
  async facts(_context, input, connector) {
    const subscription = await connector.getSubscription(input.subscription_id);
    if (!subscription) throw notFound('subscription', input.subscription_id);
    if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is already canceled`);
    const customer = await connector.getCustomer(subscription.customerId);
    const end = personDate(subscription.currentPeriodEnd);
    return {
      decision: { customerIds: [subscription.customerId], targetCount: 1, reversible: input.at_period_end },
      preview: {
        summary: input.at_period_end
          ? `Cancel ${customer?.name ?? subscription.customerId}'s subscription at the end of the period (${end}); it stays active until then`
          : `Cancel ${customer?.name ?? subscription.customerId}'s subscription now; access ends immediately and the period is not refunded`,
        changes: [
          input.at_period_end
            ? {
                field: `subscription ${subscription.id} cancel at period end`,
                from: subscription.cancelAtPeriodEnd,
                to: true,
              }
            : { field: `subscription ${subscription.id} status`, from: subscription.status, to: 'canceled' },
        ],
        money: null,
        customers: [{ id: subscription.customerId, name: customer?.name ?? '' }],
        targets: [subscription.id],
        reversible: input.at_period_end,
        details: { currentPeriodEnd: subscription.currentPeriodEnd, status: subscription.status },
      },
      subjects: { customerId: subscription.customerId },
      bound: { subscriptionId: subscription.id, customerId: subscription.customerId, atPeriodEnd: input.at_period_end },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.cancelSubscription(
      {
        subscriptionId: input.subscription_id,
        atPeriodEnd: input.at_period_end,
        ...(input.reason ? { reason: input.reason } : {}),
      },
      { idempotencyKey },
    );
  },
});
