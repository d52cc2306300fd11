/** Kysely types of the audit log (migrations 0003-audit, 0015, 0024, 0040: no head table since 0024; single rows inserted and linked by a trigger since 0040). */
import type { ColumnType } from 'kysely';

/** audit_events: append-only, hash-chained per org. */
export interface AuditEventsTable {
  id: string;
  orgId: string;
  seq: number;
  at: ColumnType<Date, Date | string, never>;
  event: string;
  actorId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  channel: string;
  requestId: string | null;
  proposalId: string | null;
  operation: string | null;
  customerId: string | null;
  invoiceId: string | null;
  chargeId: string | null;
  arguments: ColumnType<unknown, string, never>;
  decision: ColumnType<unknown, string, never>;
  result: ColumnType<unknown, string, never>;
  userInput: string | null;
  prevHash: string;
  hash: string;
  /** The Ed25519 key that signed `hash` (migration 0015); null on rows written before signing. */
  keyId: string | null;
  /** Base64 Ed25519 signature of the row hash (see audit/signing-key.ts). */
  signature: string | null;
  /**
   * Carries the body hash the caller signed into the link trigger (migration 0040), which checks the row hash
   * with it and then clears it: always null once stored.
   */
  bodyHash: ColumnType<null, string | null, never>;
}

/** The audit tables. */
export interface AuditTables {
  auditEvents: AuditEventsTable;
}
