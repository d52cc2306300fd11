/**
 * Keeping the mirror in step with Stripe. A backfill lists every object type, 100 per page, paced under the
 * mode's rate limit, fetching the next page while the last is written; each page and its cursor commit
 * together, so a stopped backfill resumes where it stood. The Events API then brings what changed since (from
 * the newest event seen before the backfill started); a cursor older than Stripe keeps events (30 days) means a
 * full resync. Webhook deliveries go through the same `applyEvent`: an event id is applied once, and an event
 * older than the state held changes nothing.
 */
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { json } from '../../store/json.ts';
import { answeredAt, applyObjects, type Executor, markInvoiceSent } from './mirror-store.ts';
import { callStripe } from './stripe-calls.ts';
import type { StripeAccess } from './stripe-connector.ts';
import type { MirroredObject, StripeObject } from './stripe-objects.ts';

/** Stripe keeps events 30 days; a cursor older than this resyncs instead. */
const EVENTS_KEPT_SECONDS = 29 * 24 * 3600;

interface ListPage {
  data: StripeObject[];
  has_more: boolean;
}

/** How each mirrored type is listed in a backfill, in the order they are fetched. */
const BACKFILL: {
  type: MirroredObject;
  list: (stripe: Stripe, params: Stripe.PaginationParams) => Promise<unknown>;
}[] = [
  {
    type: 'customer',
    list: (s, p) => s.customers.list({ ...p, expand: ['data.invoice_settings.default_payment_method'] }),
  },
  { type: 'product', list: (s, p) => s.products.list(p) },
  { type: 'price', list: (s, p) => s.prices.list({ ...p, expand: ['data.tiers'] }) },
  { type: 'coupon', list: (s, p) => s.coupons.list(p) },
  { type: 'subscription', list: (s, p) => s.subscriptions.list({ ...p, status: 'all', expand: ['data.discounts'] }) },
  { type: 'invoice', list: (s, p) => s.invoices.list({ ...p, expand: ['data.payments'] }) },
  { type: 'charge', list: (s, p) => s.charges.list(p) },
  { type: 'refund', list: (s, p) => s.refunds.list(p) },
  { type: 'credit_note', list: (s, p) => s.creditNotes.list(p) },
];

/** The object types a backfill walks, in order (balance changes follow, for customers with a balance). */
export const BACKFILL_TYPES = BACKFILL.map((step) => step.type);

/** Where a backfill stands, reported after each page. */
export interface BackfillProgress {
  type: MirroredObject | 'customer_balance_transaction';
  /** Objects of this type so far. */
  objects: number;
  /** Pages stored in all. */
  pages: number;
  /** This type is complete. */
  done: boolean;
  /** Types complete, of `typesTotal` (the balance changes count as one). */
  typesDone: number;
  typesTotal: number;
}

/** What a backfill did. */
export interface BackfillReport {
  objects: number;
  pages: number;
  requests: number;
  seconds: number;
  resumed: boolean;
}

type Cursors = Record<string, { cursor: string | null; objects: number; done: boolean }>;

async function loadSync(db: Executor, orgId: string) {
  return db.selectFrom('stripeSync').selectAll().where('orgId', '=', orgId).executeTakeFirst();
}

async function saveSync(
  db: Executor,
  orgId: string,
  changes: Partial<{
    backfill: Cursors;
    backfillStartedAt: Date | null;
    backfillFinishedAt: Date | null;
    eventsCursor: string | null;
    eventsCursorCreated: number | null;
    eventsSyncedAt: Date;
  }>,
): Promise<void> {
  const { backfill, ...rest } = changes;
  const values = { ...rest, ...(backfill ? { backfill: json(backfill) } : {}), updatedAt: new Date() };
  await db
    .insertInto('stripeSync')
    .values({ orgId, ...values })
    .onConflict((conflict) => conflict.column('orgId').doUpdateSet(values))
    .execute();
}

/** The newest event id and time now, so events after a backfill starts are not missed. */
async function newestEvent(access: StripeAccess): Promise<{ id: string; created: number } | null> {
  const page = await callStripe(access.calls, 'list events', () => access.stripe.events.list({ limit: 1 }));
  const first = page.data[0];
  return first ? { id: first.id, created: first.created } : null;
}

/**
 * Backfills the mirror (resuming an unfinished run unless `restart`). Every object type is listed at once, each
 * fetching its next page while the last is written, so the shared pace — not a type's turn — sets the speed.
 * `onProgress` is called after each page.
 */
export async function backfillStripe(
  db: Executor & { transaction: Executor['transaction'] },
  orgId: string,
  access: StripeAccess,
  options: { restart?: boolean; onProgress?: (progress: BackfillProgress) => void } = {},
): Promise<BackfillReport> {
  const started = Date.now();
  const sync = await loadSync(db, orgId);
  const resumed = !options.restart && Boolean(sync?.backfillStartedAt && !sync.backfillFinishedAt);
  const cursors: Cursors = resumed ? { ...(sync?.backfill ?? {}) } : {};
  let requests = 0;
  if (!resumed) {
    requests++;
    const newest = await newestEvent(access);
    await saveSync(db, orgId, {
      backfill: {},
      backfillStartedAt: new Date(),
      backfillFinishedAt: null,
      eventsCursor: newest?.id ?? null,
      eventsCursorCreated: newest?.created ?? Math.floor(Date.now() / 1000),
    });
  }
  let objects = 0;
  let pages = 0;
  let failure: unknown;
  const typesTotal = BACKFILL.length + 1;
  let typesDone = BACKFILL.filter((step) => cursors[step.type]?.done).length;
  const report = (type: BackfillProgress['type'], count: number, done: boolean) =>
    options.onProgress?.({ type, objects: count, pages, done, typesDone, typesTotal });

  /** Lists one type to the end: page n+1 is requested as soon as page n arrives. */
  const listType = async (step: (typeof BACKFILL)[number]) => {
    const state = cursors[step.type] ?? { cursor: null, objects: 0, done: false };
    if (state.done) return;
    const fetchPage = (cursor: string | null) => {
      requests++;
      return callStripe(access.calls, `list ${step.type}s`, async () => {
        const page = (await step.list(access.stripe, {
          limit: 100,
          ...(cursor ? { starting_after: cursor } : {}),
        })) as ListPage;
        return { page, at: answeredAt(page) };
      });
    };
    let pending = fetchPage(state.cursor);
    for (;;) {
      const { page, at } = await pending;
      if (failure) return;
      const last = page.data.at(-1)?.id ?? state.cursor;
      if (page.has_more && last) {
        pending = fetchPage(last);
        // Awaited on the next turn; if this page's write fails first, its rejection must not go unhandled.
        pending.catch(() => {});
      }
      // A page and its cursor commit together: a stopped backfill resumes after the last page stored.
      const next = { cursor: last, objects: state.objects + page.data.length, done: !page.has_more };
      await db.transaction().execute(async (trx) => {
        await applyObjects(trx, orgId, step.type, page.data, at);
        await saveCursor(trx, orgId, step.type, next);
      });
      cursors[step.type] = next;
      state.cursor = last;
      state.objects += page.data.length;
      state.done = !page.has_more;
      objects += page.data.length;
      pages++;
      if (state.done) typesDone++;
      report(step.type, state.objects, state.done);
      if (state.done) return;
    }
  };
  const guarded = (work: Promise<void>) =>
    work.catch((error: unknown) => {
      failure ??= error;
    });
  await Promise.all(BACKFILL.map((step) => guarded(listType(step))));
  if (failure) throw failure;

  // Balances: only customers with one have balance transactions worth a request each, several in flight.
  const withBalance = await db
    .withSchema(`${await currentSchema(db)}_stripe`)
    .selectFrom('customers')
    .select('id')
    .where('orgId', '=', orgId)
    .where('balance', '<>', 0)
    .execute();
  let balanceObjects = 0;
  const queue = withBalance.map((row) => row.id);
  const balances = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      requests++;
      const customerId = id;
      const page = await callStripe(access.calls, 'list balance transactions', () =>
        access.stripe.customers.listBalanceTransactions(customerId, { limit: 100 }),
      );
      await applyObjects(
        db,
        orgId,
        'customer_balance_transaction',
        page.data as unknown as StripeObject[],
        answeredAt(page),
      );
      balanceObjects += page.data.length;
      report('customer_balance_transaction', balanceObjects, false);
    }
  };
  await Promise.all(Array.from({ length: 4 }, balances));
  objects += balanceObjects;
  typesDone = typesTotal;
  report('customer_balance_transaction', balanceObjects, true);
  await saveSync(db, orgId, { backfillFinishedAt: new Date() });
  return { objects, pages, requests, seconds: (Date.now() - started) / 1000, resumed };
}

/**
 * Stores one type's cursor. Types are listed concurrently, so each updates its own key of the row (a whole-map
 * write from a transaction that committed later would bring back an older cursor of another type).
 */
async function saveCursor(
  db: Executor,
  orgId: string,
  type: string,
  cursor: { cursor: string | null; objects: number; done: boolean },
): Promise<void> {
  await db
    .updateTable('stripeSync')
    .set({
      backfill: sql`jsonb_set(backfill, ${sql.val([type])}::text[], ${json(cursor)}::jsonb, true)`,
      updatedAt: new Date(),
    })
    .where('orgId', '=', orgId)
    .execute();
}

async function currentSchema(db: Executor): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? 'public';
}

/** What applying one event came to. */
export type EventOutcome = 'applied' | 'stale' | 'duplicate' | 'ignored';

const EVENT_OBJECTS: Record<string, MirroredObject> = {
  customer: 'customer',
  product: 'product',
  price: 'price',
  coupon: 'coupon',
  subscription: 'subscription',
  invoice: 'invoice',
  charge: 'charge',
  refund: 'refund',
  credit_note: 'credit_note',
  customer_balance_transaction: 'customer_balance_transaction',
};

/** A Stripe event as delivered (webhook body or Events API). */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: StripeObject };
}

/**
 * Applies one event once: its id is recorded with the change in one transaction (a replay is `duplicate`), and
 * the object is written only if the event is not older than the state held (`stale` otherwise).
 */
export async function applyEvent(
  db: Executor & { transaction: Executor['transaction'] },
  orgId: string,
  event: StripeEvent,
  source: 'webhook' | 'events_api',
): Promise<EventOutcome> {
  return db.transaction().execute(async (trx) => {
    const first = await trx
      .insertInto('stripeEvents')
      .values({ orgId, id: event.id, type: event.type, created: event.created, source, receivedAt: new Date() })
      .onConflict((conflict) => conflict.columns(['orgId', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!first) return 'duplicate';
    const object = event.data?.object;
    const type = object ? EVENT_OBJECTS[object.object] : undefined;
    if (!object || !type) return 'ignored';
    const deleted = event.type.endsWith('.deleted') && type !== 'subscription';
    const state = deleted ? { ...object, deleted: true, active: false, valid: false } : object;
    const result = await applyObjects(trx, orgId, type, [state], event.created);
    if (event.type === 'invoice.sent') await markInvoiceSent(trx, orgId, object.id, new Date(event.created * 1000));
    return result.applied > 0 ? 'applied' : 'stale';
  });
}

/** What an Events API sync did. */
export interface EventsReport {
  events: number;
  applied: number;
  resync: boolean;
}

/**
 * Applies the events since the cursor, oldest first. Returns `resync: true` without applying anything when the
 * cursor is older than Stripe keeps events (or Stripe no longer knows it): the caller backfills again.
 */
export async function syncStripeEvents(
  db: Executor & { transaction: Executor['transaction'] },
  orgId: string,
  access: StripeAccess,
): Promise<EventsReport> {
  const sync = await loadSync(db, orgId);
  const now = Math.floor(Date.now() / 1000);
  if (!sync?.backfillFinishedAt) return { events: 0, applied: 0, resync: true };
  if (sync.eventsCursorCreated !== null && now - sync.eventsCursorCreated > EVENTS_KEPT_SECONDS)
    return { events: 0, applied: 0, resync: true };
  let cursor = sync.eventsCursor;
  let cursorCreated = sync.eventsCursorCreated ?? now;
  let events = 0;
  let applied = 0;
  for (;;) {
    let page: Stripe.ApiList<Stripe.Event>;
    try {
      page = await callStripe(access.calls, 'list events', () =>
        access.stripe.events.list({
          limit: 100,
          ...(cursor ? { ending_before: cursor } : { created: { gte: cursorCreated } }),
        }),
      );
    } catch (error) {
      if ((error as { code?: string; statusCode?: number }).statusCode === 404 || isMissing(error))
        return { events, applied, resync: true };
      throw error;
    }
    // A page is newest first; apply oldest first and move the cursor as each commits.
    const oldestFirst = [...page.data].reverse();
    for (const event of oldestFirst) {
      const outcome = await applyEvent(db, orgId, event as unknown as StripeEvent, 'events_api');
      events++;
      if (outcome === 'applied') applied++;
      cursor = event.id;
      cursorCreated = event.created;
      await saveSync(db, orgId, { eventsCursor: cursor, eventsCursorCreated: cursorCreated });
    }
    if (!page.has_more || page.data.length === 0) break;
  }
  await saveSync(db, orgId, { eventsSyncedAt: new Date() });
  return { events, applied, resync: false };
}

function isMissing(error: unknown): boolean {
  const details = (error as { details?: { stripeCode?: string } }).details;
  return details?.stripeCode === 'resource_missing';
}
