/**
 * Where each org's chain ends, read from the rows themselves (ADR 0023: there is no head row): the last row
 * through the `(org_id, seq)` index, and the orgs that have rows, found by skipping through that index one org
 * at a time (a loose index scan) rather than reading every row.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { GENESIS_HASH } from './events.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** The key the row after `event` must be signed by: the one a rotation row names, else the row's own. */
export function nextKeyAfter(event: { event: string; result: unknown }, keyId: string | null): string | null {
  if (event.event !== 'audit.key_rotated') return keyId;
  const named = (event.result as { new_key_id?: unknown } | null)?.new_key_id;
  return typeof named === 'string' ? named : keyId;
}

/**
 * Where the org's chain ends and the key its next row must be signed by (seq 0 and the genesis hash when it has
 * no rows), read in the caller's transaction when there is one.
 */
export async function chainEnd(
  db: Executor,
  orgId: string,
): Promise<{ seq: number; hash: string; keyId: string | null }> {
  const row = await db
    .selectFrom('auditEvents')
    .select(['seq', 'hash', 'event', 'result', 'keyId'])
    .where('orgId', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { seq: 0, hash: GENESIS_HASH, keyId: null };
  return { seq: Number(row.seq), hash: row.hash, keyId: nextKeyAfter(row, row.keyId) };
}

/** The seq and hash of the org's last row, or undefined when it has none (as committed, read outside a transaction). */
export async function lastAuditRow(db: Executor, orgId: string): Promise<{ seq: number; hash: string } | undefined> {
  const end = await chainEnd(db, orgId);
  return end.seq === 0 ? undefined : { seq: end.seq, hash: end.hash };
}

/** Every org with audit rows, in id order. */
export async function auditedOrgs(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ org: string }>`
    with recursive orgs as (
      select min(org_id) as org from audit_events
      union all
      select (select min(e.org_id) from audit_events e where e.org_id > orgs.org) from orgs where orgs.org is not null
    )
    select org from orgs where org is not null`.execute(db);
  return rows.map((row) => row.org);
}
