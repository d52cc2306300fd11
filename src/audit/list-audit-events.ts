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

/** Returns audit events of one org matching the filter. */
export async function listAuditEvents(
  db: Kysely<Database>,
  orgId: string,
  filter: AuditFilter = {},
): Promise<AuditEvent[]> {
  let query = db.selectFrom('auditEvents').selectAll().where('orgId', '=', orgId);
  if (filter.customerId) query = query.where('customerId', '=', filter.customerId);
  if (filter.actorId) query = query.where('actorId', '=', filter.actorId);
  if (filter.actorEmail) query = query.where('actorEmail', '=', filter.actorEmail.trim().toLowerCase());
  if (filter.event) query = query.where('event', '=', filter.event);
  if (filter.operation) query = query.where('operation', '=', filter.operation);
  if (filter.outcome) query = query.where(sql<string>`decision->>'outcome'`, '=', filter.outcome);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  const rows = await query
    .orderBy('seq', filter.newestFirst ? 'desc' : 'asc')
    .limit(Math.min(filter.limit ?? 100, 10_000))
    .execute();
  return rows as AuditEvent[];
}
