/** record_usage: count usage of a metered metric on a subscription (kind billing.change). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of record_usage. */
export const recordUsageInput = z
  .object({
    subscription_id: idOf('sub', 'subscription'),
    metric: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a metric name like api_calls'),
    quantity: z.number().int().min(1).max(1_000_000_000),
    ...writeContextFields,
  })
  .strict();

/** Records usage; it is billed in arrears at the next renewal through the price's tiers. */
export const recordUsage = defineWrite({
  name: 'record_usage',
  description: 'Record usage (e.g. api_calls) on a subscription; billed at the next renewal through the price tiers.',
  kind: 'billing.change',
  input: recordUsageInput,
  destructive: false,
  async facts(_context, input, connector) {
    const subscription = await connector.getSubscription(input.subscription_id);
    if (!subscription) throw notFound('subscription', input.subscription_id);
    if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
    return {
      decision: { customerIds: [subscription.customerId], targetCount: 1, reversible: false },
      preview: {
        summary: `Record ${input.quantity.toLocaleString('en-US')} ${input.metric} on subscription ${subscription.id}`,
        changes: [{ field: `${input.metric} usage`, from: null, to: input.quantity }],
        money: null,
        customers: [{ id: subscription.customerId, name: '' }],
        targets: [subscription.id],
        reversible: false,
        details: {},
      },
      subjects: { customerId: subscription.customerId },
      bound: { subscriptionId: subscription.id, metric: input.metric, quantity: input.quantity },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.recordUsage(
      { subscriptionId: input.subscription_id, metric: input.metric, quantity: input.quantity },
      { idempotencyKey },
    );
  },
});
