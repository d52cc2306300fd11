/**
 * The kinds of event present in an org's log, for the dashboard's kind filter: one index probe per kind on the
 * closed list (audit_events_org_event), so the answer costs the same on a log of a hundred rows or of millions.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { AUDIT_EVENTS, type AuditEventName } from './events.ts';

/** The event kinds the org's log holds at least once, in the closed list's order. */
export async function listAuditKinds(db: Kysely<Database>, orgId: string): Promise<AuditEventName[]> {
  const kinds = sql.join(AUDIT_EVENTS.map((kind, order) => sql`(${kind}::text, ${order}::int)`));
  const { rows } = await sql<{ kind: AuditEventName }>`
    select k.kind from (values ${kinds}) as k(kind, position)
    where exists (select 1 from audit_events e where e.org_id = ${orgId} and e.event = k.kind)
    order by k.position`.execute(db);
  return rows.map((row) => row.kind);
}
