/**
 * A member's time zone (issue 18): `members.time_zone` holds the IANA zone ("Asia/Kolkata") in which Leash words
 * times for that member — chat and turn text, proposal cards, approval expiry, the CLI and the dashboard. Null
 * means none chosen: times then read in the org's zone (orgs have none yet) or UTC. The member sets it for
 * themselves; the row keeps the table's row-level security (org-scoped like every member column).
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Adds members.time_zone. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'alter table members add column time_zone text');
}
