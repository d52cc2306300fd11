/**
 * What people do with deliveries, from any surface (CLI `leash webhooks`, HTTP /api/webhooks/deliveries): list
 * them (any member may read), and redeliver one (the members who may manage endpoints: the owner and billing
 * managers). Redelivery resends an event already approved for an endpoint already approved, so it is not a new
 * proposal; it is recorded in the audit log (`webhook.redelivered`) in the same transaction as the change.
 */
import { LeashError } from '../domain/errors.ts';
import { recordStep } from '../operations/audit-trail.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import { countDeliveries, type DeliveryFilter, type DeliveryView, listDeliveries, redeliver } from './deliveries.ts';

/** Roles that may redeliver (the roles Cedar lets manage webhook endpoints). */
const MAY_REDELIVER = new Set(['owner', 'billing_manager']);

/** The org's deliveries for the caller. */
export function deliveriesFor(
  context: Pick<OperationContext, 'db' | 'actor'>,
  filter: DeliveryFilter,
): Promise<DeliveryView[]> {
  return listDeliveries(context.db, context.actor.orgId, filter);
}

/** How many of the org's deliveries match the filter (for paging). */
export function deliveryCountFor(
  context: Pick<OperationContext, 'db' | 'actor'>,
  filter: DeliveryFilter,
): Promise<number> {
  return countDeliveries(context.db, context.actor.orgId, filter);
}

/** Puts a dead or delivered delivery back in the queue, as the caller, audited. */
export async function redeliverAsMember(
  context: Pick<OperationContext, 'db' | 'actor' | 'channel' | 'requestId' | 'userInput'>,
  deliveryId: string,
): Promise<DeliveryView> {
  if (!MAY_REDELIVER.has(context.actor.role))
    throw new LeashError('forbidden', 'only the owner and billing managers may redeliver webhooks');
  return context.db.transaction().execute(async (trx) => {
    const view = await redeliver(trx, context.actor.orgId, deliveryId);
    await recordStep(trx, context, 'webhook.redelivered', {
      arguments: { deliveryId },
      result: { deliveryId: view.id, endpointId: view.endpointId, eventId: view.eventId, eventType: view.eventType },
    });
    return view;
  });
}
