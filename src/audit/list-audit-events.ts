/** Lists an org's audit events with filters, oldest first (or newest first). */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AuditEvent } from './append-audit-event.ts';

/** Filters for listing the log. */
export interface AuditFilter {
  customerId?: string;
  actorId?: string;
  /** The acting member's email (any case): also finds the events of a member since removed. */
  actorEmail?: string;
  event?: string;
  operation?: string;
  /** A decision outcome: pass, warn or block. */
  outcome?: string;
  from?: Date;
  to?: Date;
  afterSeq?: number;
  /** Only events older than this seq (a page of a newest-first listing). */
  beforeSeq?: number;
  limit?: number;
  newestFirst?: boolean;
}

/** The most rows one listing returns, whatever the caller asks. */
export const MAX_AUDIT_LIST = 10_000;

/** The org's events (aliased `e`) narrowed by the filter's plain columns; the caller selects and orders. */
export function filteredAuditEvents(db: Kysely<Database>, orgId: string, filter: AuditFilter) {
  let query = db.selectFrom('auditEvents as e').where('e.orgId', '=', orgId);
  if (filter.customerId) query = query.where('e.customerId', '=', filter.customerId);
  if (filter.actorId) query = query.where('e.actorId', '=', filter.actorId);
  if (filter.actorEmail) query = query.where('e.actorEmail', '=', filter.actorEmail.trim().toLowerCase());
  if (filter.event) query = query.where('e.event', '=', filter.event);
  if (filter.operation) query = query.where('e.operation', '=', filter.operation);
  if (filter.outcome) query = query.where(sql<string>`e.decision->>'outcome'`, '=', filter.outcome);
  if (filter.from) query = query.where('e.at', '>=', filter.from);
  if (filter.to) query = query.where('e.at', '<', filter.to);
  if (filter.afterSeq !== undefined) query = query.where('e.seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('e.seq', '<', filter.beforeSeq);
  return query;
}

/** Returns audit events of one org matching the filter. */
export async function listAuditEvents(
  db: Kysely<Database>,
  orgId: string,
  filter: AuditFilter = {},
): Promise<AuditEvent[]> {
  const rows = await filteredAuditEvents(db, orgId, filter)
    .selectAll('e')
    .orderBy('e.seq', filter.newestFirst ? 'desc' : 'asc')
    .limit(Math.min(filter.limit ?? 100, MAX_AUDIT_LIST))
    .execute();
  return rows as AuditEvent[];
}
