/**
 * The delivery log people see (`leash webhooks deliveries`, GET /api/webhooks/deliveries) and redelivery: a dead
 * (or delivered) delivery goes back to pending with a fresh set of attempts, due at once. Redelivery resends the
 * same signed event (same webhook-id); the caller records it in the audit log.
 */
import type { Kysely } from 'kysely';
import { invalidState, notFound } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';

/** The delivery states. */
export const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;
/** A delivery state. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** What people see: a pending delivery that has failed at least once is `retrying`. */
export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead'] as const;
/** A delivery's status as listed. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery as listed. */
export interface DeliveryView {
  id: string;
  endpointId: string;
  url: string;
  eventId: string;
  eventType: string;
  state: DeliveryState;
  /** `state`, with a pending delivery that has failed at least once shown as `retrying`. */
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Filters of the listing. */
export interface DeliveryFilter {
  /** Only this delivery. */
  deliveryId?: string | undefined;
  endpointId?: string | undefined;
  state?: DeliveryState | undefined;
  /** Only pending deliveries that have failed at least once (and will be tried again). */
  retrying?: boolean | undefined;
  limit?: number | undefined;
  /** Rows to skip (paging). */
  offset?: number | undefined;
}

function filtered(db: Kysely<Database>, orgId: string, filter: DeliveryFilter) {
  let query = db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
    .innerJoin('webhookEvents as v', 'v.id', 'd.eventId')
    .where('d.orgId', '=', orgId);
  if (filter.deliveryId) query = query.where('d.id', '=', filter.deliveryId);
  if (filter.endpointId) query = query.where('d.endpointId', '=', filter.endpointId);
  if (filter.state) query = query.where('d.state', '=', filter.state);
  if (filter.retrying) query = query.where('d.state', '=', 'pending').where('d.attempts', '>', 0);
  return query;
}

/** How many deliveries match the filter (its limit and offset aside). */
export async function countDeliveries(
  db: Kysely<Database>,
  orgId: string,
  filter: DeliveryFilter = {},
): Promise<number> {
  const row = await filtered(db, orgId, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The org's deliveries, newest first. */
export async function listDeliveries(
  db: Kysely<Database>,
  orgId: string,
  filter: DeliveryFilter = {},
): Promise<DeliveryView[]> {
  const rows = await filtered(db, orgId, filter)
    .select(['d.id', 'd.endpointId', 'e.url', 'd.eventId', 'v.type', 'd.state', 'd.attempts', 'd.lastStatus'])
    .select(['d.lastError', 'd.nextAttemptAt', 'd.createdAt', 'd.deliveredAt'])
    .orderBy('d.createdAt', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpointId,
    url: row.url,
    eventId: row.eventId,
    eventType: row.type,
    state: row.state,
    status: row.state === 'pending' && row.attempts > 0 ? 'retrying' : row.state,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    nextAttemptAt: row.state === 'pending' ? new Date(row.nextAttemptAt).toISOString() : null,
    createdAt: new Date(row.createdAt).toISOString(),
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt).toISOString() : null,
  }));
}

/** Puts a dead or delivered delivery back in the queue, due now; a pending one cannot be redelivered. */
export async function redeliver(
  db: Kysely<Database>,
  orgId: string,
  deliveryId: string,
  now = new Date(),
): Promise<DeliveryView> {
  const current = await db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
    .select(['d.state', 'e.deletedAt'])
    .where('d.orgId', '=', orgId)
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  if (!current) throw notFound('webhook delivery', deliveryId);
  if (current.deletedAt) throw invalidState(`delivery ${deliveryId} belongs to a deleted endpoint`);
  if (current.state === 'pending')
    throw invalidState(`delivery ${deliveryId} is still pending: it is retried on its own`);
  await db
    .updateTable('webhookDeliveries')
    .set({ state: 'pending', attempts: 0, nextAttemptAt: now, lastError: null })
    .where('orgId', '=', orgId)
    .where('id', '=', deliveryId)
    .where('state', '=', current.state)
    .execute();
  const [view] = (await listDeliveries(db, orgId, { limit: 1000 })).filter((row) => row.id === deliveryId);
  if (!view) throw notFound('webhook delivery', deliveryId);
  return view;
}
