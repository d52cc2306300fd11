/**
 * Involuntary churn at scale (issue 21): the MRR a subscription had when it ended is the sum of its fact lines
 * that cover the end, `starts < ended_at <= period_end`. The `(org_id, subscription_id, starts)` index (0028)
 * finds every line that started before the end, the whole history (about 160 lines a subscription on the bench
 * business, each on its own page: 13 s for 2,600 churned subscriptions); this one finds the lines that end at or
 * after it, one or two. Added to the ledger's `mrr_lines` and to the Stripe mirror's (whose facts 0028 made beside
 * it, as it does the ledger's).
 */
import { type Kysely, sql } from 'kysely';
import { inLedgerAndMirror } from './ledger-and-mirror.ts';

const INDEX = inLedgerAndMirror(
  'create index if not exists mrr_lines_org_subscription_end on %I.mrr_lines (org_id, subscription_id, period_end)',
);

/** Adds the line-end index to the ledger's and the mirror's MRR facts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(INDEX).execute(db);
}
