/**
 * Customer search at scale (issue 21): the indexes search_customers' paths use, on the ledger's `customers` and
 * on the Stripe mirror's (which copied the ledger's indexes when it was made, so new ones are added to both).
 *
 * - `customers_org_email_domain`: a search for a domain ("globex.test", "@globex.test") is an index look-up on
 *   the part of the email after the `@`.
 * - `customers_email_trgm`: a trigram index on the email, so a search for part of an address ("ap@glob") does not
 *   read every row.
 * - the name's trigram index (`customers_name_trgm`, from 0001; copied to the mirror) serves the fuzzy name match.
 */
import { type Kysely, sql } from 'kysely';
import { inLedgerAndMirror } from './ledger-and-mirror.ts';

const INDEXES = inLedgerAndMirror(
  "create index if not exists customers_org_email_domain on %I.customers (org_id, (split_part(lower(email), ''@'', 2)))",
  'create index if not exists customers_email_trgm on %I.customers using gin (lower(email) gin_trgm_ops)',
  'analyze %I.customers',
);

/** Adds the search indexes to the ledger's and the mirror's customers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(INDEXES).execute(db);
}
