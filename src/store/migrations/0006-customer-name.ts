/**
 * Exact, case-insensitive name look-ups (`leash customer "Acme Corp"`) by index, before any fuzzy search: at
 * 100k customers the trigram search that ranks similar names costs tens of milliseconds, the index a fraction
 * of one.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Adds a b-tree index on (org_id, lower(name)). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'create index if not exists customers_org_lower_name on customers (org_id, lower(name));');
}
