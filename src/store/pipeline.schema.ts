/** Kysely types of the pipeline tables (migration 0005-pipeline). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** proposals: every write request, its server-derived preview and its decision. */
export interface ProposalsTable {
  id: string;
  orgId: string;
  operation: string;
  kind: string;
  requesterId: string;
  channel: string;
  requestId: string;
  caseId: string | null;
  reason: string | null;
  userInput: string | null;
  input: JSONColumnType<Record<string, unknown>>;
  payload: JSONColumnType<Record<string, unknown>>;
  payloadHash: string;
  preview: JSONColumnType<Record<string, unknown>>;
  decision: JSONColumnType<Record<string, unknown>>;
  outcome: string;
  status: string;
  moneyAmount: number | null;
  moneyCurrency: string | null;
  reservedDay: string | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

/** approval_requests: a WARN proposal waiting for a second person, bound to its payload hash. */
export interface ApprovalRequestsTable {
  id: string;
  orgId: string;
  /** The proposal waiting, or null when the request is for a gate decision (exactly one of the two). */
  proposalId: string | null;
  /** The gate decision of another company's agent waiting (migration 0021), or null for a proposal. */
  decisionId: ColumnType<string | null, string | null | undefined, string | null>;
  requesterId: string;
  payload: JSONColumnType<Record<string, unknown>>;
  payloadHash: string;
  groups: JSONColumnType<string[]>;
  roles: JSONColumnType<string[]>;
  minCap: JSONColumnType<{ amount: number; currency: string } | null, string | null, string | null>;
  handleHash: string;
  status: string;
  decidedBy: string | null;
  decidedAt: NullableTimestamp;
  decisionReason: string | null;
  expiresAt: ColumnType<Date, Date | string, Date | string>;
  createdAt: Generated<Date>;
}

/** executions: one per proposal, written before the connector call. */
export interface ExecutionsTable {
  id: string;
  orgId: string;
  proposalId: string;
  idempotencyKey: string;
  status: string;
  attempts: Generated<number>;
  result: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  error: string | null;
  startedAt: Generated<Date>;
  finishedAt: NullableTimestamp;
}

/** limit_counters: money reserved per member, kind, day and currency (cumulative limits). */
export interface LimitCountersTable {
  orgId: string;
  memberId: string;
  kind: string;
  day: string;
  currency: string;
  reserved: Generated<number>;
}

/** The pipeline's tables. */
export interface PipelineTables {
  proposals: ProposalsTable;
  approvalRequests: ApprovalRequestsTable;
  executions: ExecutionsTable;
  limitCounters: LimitCountersTable;
}
