/**
 * Writing Stripe objects into the mirror (migration 0014): a batch of one type becomes one upsert whose
 * `where` keeps the newer state — a row changes only when the incoming version (the event's `created`, or the
 * instant the API answered) is not older than the one held. Items and lines follow their parent.
 */
import { type ColumnType, type Kysely, sql, type Transaction } from 'kysely';
import { json } from '../../store/json.ts';
import type { BillingTables, Database } from '../../store/schema.ts';
import {
  customerToRow,
  invoiceLineRows,
  invoiceToRow,
  priceToRow,
  productToRow,
  subscriptionItemRows,
  subscriptionToRow,
} from '../ledger/rows.ts';
import {
  balanceTransactionOf,
  chargeOf,
  creditNoteOf,
  invoiceOf,
  invoicePaymentIntents,
  refundOf,
  subscriptionOf,
} from './stripe-billing-objects.ts';
import { couponOf, customerOf, type MirroredObject, priceOf, productOf, type StripeObject } from './stripe-objects.ts';

type Mirrored<T> = T & {
  object: ColumnType<unknown, string | null | undefined, string | null>;
  stripeVersion: ColumnType<number, number | undefined, number>;
};

/** The mirror's tables: the ledger's, with the Stripe object and its version. */
export interface MirrorDatabase {
  customers: Mirrored<BillingTables['customers']>;
  products: Mirrored<BillingTables['products']>;
  prices: Mirrored<BillingTables['prices']>;
  coupons: Mirrored<BillingTables['coupons']>;
  subscriptions: Mirrored<BillingTables['subscriptions']>;
  subscriptionItems: Mirrored<BillingTables['subscriptionItems']>;
  invoices: Mirrored<BillingTables['invoices']> & {
    paymentIntents: ColumnType<string[], string[] | undefined, string[]>;
  };
  invoiceLines: Mirrored<BillingTables['invoiceLines']>;
  charges: Mirrored<BillingTables['charges']> & { paymentIntent: string | null };
  refunds: Mirrored<BillingTables['refunds']>;
  creditNotes: Mirrored<BillingTables['creditNotes']>;
  balanceTransactions: Mirrored<BillingTables['balanceTransactions']>;
}

/** The executor a mirror write runs on. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** The name of the mirror schema beside the executor's current one (`public` → `public_stripe`). */
export async function mirrorSchemaOf(executor: Executor): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(executor);
  const current = rows[0]?.schema ?? 'public';
  return current.endsWith('_stripe') ? current : `${current}_stripe`;
}

/** The mirror's tables, on the executor (and in its transaction, when it is one). */
export async function mirrorOf(executor: Executor): Promise<Kysely<MirrorDatabase>> {
  return executor.withSchema(await mirrorSchemaOf(executor)) as unknown as Kysely<MirrorDatabase>;
}

/**
 * Runs `work` with the mirror first on the search path, so the ledger's read queries (builder and raw SQL) read
 * the mirror. Inside a transaction the path stays set for the rest of it (an org uses one billing system).
 */
export async function inMirror<T>(executor: Executor, work: (executor: Executor) => Promise<T>): Promise<T> {
  const enter = async (trx: Executor) => {
    const schema = await mirrorSchemaOf(trx);
    await sql`select set_config('search_path', ${`${schema}, ${schema.slice(0, -'_stripe'.length)}, public`}, true)`.execute(
      trx,
    );
    return withoutMirrorColumns(await work(trx));
  };
  return executor.isTransaction ? enter(executor) : executor.transaction().execute(enter);
}

/** Marks an invoice sent at `at` (an `invoice.sent` event), unless a time is already held. */
export async function markInvoiceSent(executor: Executor, orgId: string, invoiceId: string, at: Date): Promise<void> {
  const mirror = await mirrorOf(executor);
  await mirror
    .updateTable('invoices')
    .set({ sentAt: at })
    .where('orgId', '=', orgId)
    .where('id', '=', invoiceId)
    .where('sentAt', 'is', null)
    .execute();
}

/** What a batch came to: how many rows took the new state, and how many were older than what is held. */
export interface Applied {
  applied: number;
  stale: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The advisory lock class of mirror writes that link charges and invoices (with the org's hash). */
const MIRROR_LINK_LOCK = 0x5354;

/**
 * The instant Stripe answered a request, by Stripe's clock (its `Date` header, in seconds): the version of the
 * state the answer holds, comparable with the `created` of events whatever the skew of this machine's clock.
 */
export function answeredAt(response: unknown): number {
  const headers = (response as { lastResponse?: { headers?: Record<string, string> } } | null)?.lastResponse?.headers;
  const parsed = headers?.date ? Date.parse(headers.date) : Number.NaN;
  return Number.isFinite(parsed) ? Math.floor(parsed / 1000) : nowSeconds();
}

const MIRROR_ONLY = new Set(['object', 'stripeVersion', 'paymentIntent', 'paymentIntents']);

/** A read's result without the mirror's own columns (the Stripe object, its version, payment intents). */
export function withoutMirrorColumns<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMirrorColumns) as T;
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !MIRROR_ONLY.has(key))
      .map(([key, field]) => [key, withoutMirrorColumns(field)]),
  ) as T;
}

/**
 * Applies Stripe objects of one type at `version` (seconds). Objects the mirror does not keep (pending charges,
 * failed refunds) are skipped and counted as neither.
 */
export async function applyObjects(
  executor: Executor,
  orgId: string,
  type: MirroredObject,
  objects: readonly StripeObject[],
  version: number = nowSeconds(),
): Promise<Applied> {
  if (objects.length === 0) return { applied: 0, stale: 0 };
  // Charges and invoices link to each other by payment intent, whichever arrives first; writes of the two are
  // serialized per org so neither misses the other (held to the end of the caller's transaction).
  if (type === 'charge' || type === 'invoice')
    await sql`select pg_advisory_xact_lock(${MIRROR_LINK_LOCK}, hashtext(${orgId}))`.execute(executor);
  const schema = await mirrorSchemaOf(executor);
  const mirror = executor.withSchema(schema) as unknown as Kysely<MirrorDatabase>;
  const stamp = (object: StripeObject) => ({ object: json(object), stripeVersion: version });
  const newer = (table: string) => sql<boolean>`${sql.ref(`${table}.stripe_version`)} <= excluded.stripe_version`;
  let applied: string[] = [];
  switch (type) {
    case 'customer': {
      const rows = objects.map((object) => ({ ...customerToRow(customerOf(object, orgId)), ...stamp(object) }));
      applied = await upsert(mirror, 'customers', rows, newer('customers'), {
        deletedAt: sql`case when excluded.object->>'deleted' = 'true' then coalesce(customers.deleted_at, excluded.deleted_at) else null end`,
      });
      break;
    }
    case 'product':
      applied = await upsert(
        mirror,
        'products',
        objects.map((object) => ({ ...productToRow(productOf(object, orgId)), ...stamp(object) })),
        newer('products'),
      );
      break;
    case 'price':
      applied = await upsert(
        mirror,
        'prices',
        objects.map((object) => ({ ...priceToRow(priceOf(object, orgId)), ...stamp(object) })),
        newer('prices'),
        // Tiers appear only when expanded: keep the ones held when an event carries none.
        { tiers: sql`case when excluded.object ? 'tiers' then excluded.tiers else prices.tiers end` },
      );
      break;
    case 'coupon':
      applied = await upsert(
        mirror,
        'coupons',
        objects.map((object) => {
          const { countries, ...coupon } = couponOf(object, orgId);
          return { ...coupon, countries: json(countries), ...stamp(object) };
        }),
        newer('coupons'),
      );
      break;
    case 'subscription': {
      const subscriptions = objects.map((object) => subscriptionOf(object, orgId));
      applied = await upsert(
        mirror,
        'subscriptions',
        subscriptions.map((subscription, index) => ({
          ...subscriptionToRow(subscription),
          ...stamp(objects[index] as StripeObject),
        })),
        newer('subscriptions'),
        {
          // An event names a discount by id only: keep the coupon the mirror already knows.
          couponId: sql`case when jsonb_typeof(excluded.object->'discounts'->0) = 'string' then subscriptions.coupon_id else excluded.coupon_id end`,
          discountEnd: sql`case when jsonb_typeof(excluded.object->'discounts'->0) = 'string' then subscriptions.discount_end else excluded.discount_end end`,
        },
      );
      const kept = new Set(applied);
      const fresh = subscriptions.filter((subscription) => kept.has(subscription.id));
      if (fresh.length > 0) {
        await mirror
          .deleteFrom('subscriptionItems')
          .where('orgId', '=', orgId)
          .where(
            'subscriptionId',
            'in',
            fresh.map((subscription) => subscription.id),
          )
          .execute();
        const items = fresh.flatMap((subscription) =>
          subscriptionItemRows(subscription).map((row) => ({ ...row, object: null, stripeVersion: version })),
        );
        if (items.length > 0) await mirror.insertInto('subscriptionItems').values(items).execute();
      }
      break;
    }
    case 'invoice': {
      const invoices = objects.map((object) => ({ invoice: invoiceOf(object, orgId), object }));
      applied = await upsert(
        mirror,
        'invoices',
        invoices.map(({ invoice, object }) => ({
          ...invoiceToRow(invoice),
          paymentIntents: invoicePaymentIntents(object),
          ...stamp(object),
        })),
        newer('invoices'),
        {
          paymentIntents: sql`case when cardinality(excluded.payment_intents) = 0 then invoices.payment_intents else excluded.payment_intents end`,
          sentAt: sql`coalesce(excluded.sent_at, invoices.sent_at)`,
        },
      );
      const kept = new Set(applied);
      // Lines are replaced only from a complete list (an event embeds the first ten).
      const complete = invoices.filter(
        ({ invoice, object }) =>
          kept.has(invoice.id) &&
          (object.lines as { has_more?: boolean } | undefined)?.has_more !== true &&
          Array.isArray((object.lines as { data?: unknown } | undefined)?.data),
      );
      if (complete.length > 0) {
        await mirror
          .deleteFrom('invoiceLines')
          .where('orgId', '=', orgId)
          .where(
            'invoiceId',
            'in',
            complete.map(({ invoice }) => invoice.id),
          )
          .execute();
        const lines = complete.flatMap(({ invoice }) =>
          invoiceLineRows(invoice).map((row) => ({ ...row, object: null, stripeVersion: version })),
        );
        if (lines.length > 0) await mirror.insertInto('invoiceLines').values(lines).execute();
      }
      // Charges stored before their invoice get its id now (by the payment intents that paid it).
      const paid = invoices.filter(
        ({ invoice, object }) => kept.has(invoice.id) && invoicePaymentIntents(object).length,
      );
      if (paid.length > 0)
        await sql`update ${sql.table(`${schema}.charges`)} c set invoice_id = i.id from ${sql.table(`${schema}.invoices`)} i
                   where c.org_id = ${orgId} and i.org_id = ${orgId} and c.invoice_id is null
                     and i.id in (${sql.join(paid.map(({ invoice }) => invoice.id))})
                     and c.payment_intent = any(i.payment_intents)`.execute(mirror);
      break;
    }
    case 'charge': {
      const intents = [
        ...new Set(objects.map((object) => object.payment_intent).filter((id): id is string => typeof id === 'string')),
      ];
      const paidBy = new Map<string, string>();
      if (intents.length > 0) {
        const rows = await mirror
          .selectFrom('invoices')
          .select(['id', 'paymentIntents'])
          .where('orgId', '=', orgId)
          .where(sql<boolean>`payment_intents && ${sql.val(intents)}::text[]`)
          .execute();
        for (const row of rows) for (const intent of row.paymentIntents) paidBy.set(intent, row.id);
      }
      const rows = objects.flatMap((object) => {
        const intent = typeof object.payment_intent === 'string' ? object.payment_intent : null;
        const charge = chargeOf(object, orgId, intent ? (paidBy.get(intent) ?? null) : null);
        return charge ? [{ ...charge, paymentIntent: intent, ...stamp(object) }] : [];
      });
      applied = await upsert(mirror, 'charges', rows, newer('charges'), {
        invoiceId: sql`coalesce(excluded.invoice_id, charges.invoice_id)`,
      });
      break;
    }
    case 'refund':
      applied = await upsert(
        mirror,
        'refunds',
        objects.flatMap((object) => {
          const refund = refundOf(object, orgId);
          return refund ? [{ ...refund, ...stamp(object) }] : [];
        }),
        newer('refunds'),
      );
      break;
    case 'credit_note':
      applied = await upsert(
        mirror,
        'creditNotes',
        objects.map((object) => ({ ...creditNoteOf(object, orgId), ...stamp(object) })),
        newer('credit_notes'),
      );
      break;
    case 'customer_balance_transaction':
      applied = await upsert(
        mirror,
        'balanceTransactions',
        objects.map((object) => ({ ...balanceTransactionOf(object, orgId), ...stamp(object) })),
        newer('balance_transactions'),
      );
      break;
  }
  return { applied: applied.length, stale: objects.length - applied.length };
}

type UpsertTable = Exclude<keyof MirrorDatabase, 'subscriptionItems' | 'invoiceLines'>;

/** One insert … on conflict update, only where the held version is not newer; returns the ids written. */
async function upsert(
  mirror: Kysely<MirrorDatabase>,
  table: UpsertTable,
  rows: readonly Record<string, unknown>[],
  newer: ReturnType<typeof sql<boolean>>,
  overrides: Record<string, ReturnType<typeof sql>> = {},
): Promise<string[]> {
  if (rows.length === 0) return [];
  // Duplicates in one batch (a list page never has them; a burst of events may): the last one wins.
  const unique = [...new Map(rows.map((row) => [String(row.id), row])).values()];
  const columns = Object.keys(unique[0] as object).filter((column) => column !== 'id' && column !== 'orgId');
  const inserted = await (mirror as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .insertInto(table)
    .values(unique as Record<string, unknown>[])
    .onConflict((conflict) =>
      conflict
        .columns(['orgId', 'id'])
        .doUpdateSet(
          Object.fromEntries(columns.map((column) => [column, overrides[column] ?? sql.ref(`excluded.${column}`)])),
        )
        .where(newer),
    )
    .returning('id')
    .execute();
  return inserted.map((row) => String(row.id));
}
