/**
 * The billing events Leash delivers to webhook endpoints, and which executed operation emits which event. An
 * event is recorded in the `webhook_events` outbox inside the execution's own transaction (execute-proposal.ts),
 * so an event exists exactly when its change committed, and is delivered later by the webhooks job.
 */
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

/** Every event type an endpoint may subscribe to (names as Stripe spells them, so receivers need no mapping). */
export const WEBHOOK_EVENT_TYPES = [
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'refund.created',
  'customer.updated',
] as const;

/** A webhook event type. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The events each operation's success emits (operations not listed emit none). */
const OPERATION_EVENTS: Readonly<Record<string, readonly WebhookEventType[]>> = {
  create_subscription: ['subscription.created'],
  change_plan: ['subscription.updated'],
  apply_coupon: ['subscription.updated'],
  remove_coupon: ['subscription.updated'],
  cancel_subscription: ['subscription.canceled'],
  create_invoice: ['invoice.finalized'],
  record_payment: ['invoice.paid'],
  retry_invoice: ['invoice.paid'],
  refund_charge: ['refund.created'],
  update_customer: ['customer.updated'],
};

/** The event types an operation emits when it succeeds. */
export function eventTypesOf(operationName: string, result: Record<string, unknown> | null): WebhookEventType[] {
  const types = OPERATION_EVENTS[operationName] ?? [];
  // A retried invoice that failed again is a payment failure, not a payment.
  if (operationName === 'retry_invoice' && result && result.status !== 'paid') return ['invoice.payment_failed'];
  return [...types];
}

/**
 * Writes the events of one successful execution to the outbox, in the caller's transaction. `data` is the
 * operation's result as stored (the object the event is about).
 */
export async function recordBillingEvents(
  trx: Kysely<Database> | Transaction<Database>,
  orgId: string,
  operationName: string,
  result: Record<string, unknown> | null,
  now: Date = new Date(),
): Promise<void> {
  const types = eventTypesOf(operationName, result);
  if (types.length === 0) return;
  await trx
    .insertInto('webhookEvents')
    .values(
      types.map((type) => ({
        id: newId('webhookEvent'),
        orgId,
        type,
        data: json(result ?? {}),
        createdAt: now,
      })),
    )
    .execute();
}
