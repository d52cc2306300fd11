/**
 * Two partial indexes the insights read through at scale (issue 21), on the ledger's tables and the Stripe
 * mirror's: the currencies customers are billed in (every insight's default currency counts them; a sequential
 * scan of every customer before, about 70 ms at 100k customers) and the subscriptions lost to failed payments
 * (involuntary churn reads a window of them; a sequential scan of every subscription before).
 */
import { type Kysely, sql } from 'kysely';
import { inLedgerAndMirror } from './ledger-and-mirror.ts';

const INDEXES = inLedgerAndMirror(
  'create index if not exists customers_org_currency on %I.customers (org_id, currency) where deleted_at is null',
  "create index if not exists subscriptions_org_payment_failed on %I.subscriptions (org_id, ended_at) where cancellation_reason = ''payment_failed''",
);

/** Adds the indexes to the ledger's and the mirror's tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(INDEXES).execute(db);
}
