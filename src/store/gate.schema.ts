/** Kysely types of the gate service's table (migration 0021-gate-decisions). */
import type { ColumnType, JSONColumnType } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** gate_decisions: a PASS or WARN answered to another company's agent, its approval state and its outcome. */
export interface GateDecisionsTable {
  id: string;
  orgId: string;
  requesterId: string;
  apiKeyId: string | null;
  agentName: string;
  actionKind: string;
  actionType: string;
  payload: JSONColumnType<Record<string, unknown>>;
  payloadHash: string;
  idempotencyKey: string;
  requestId: string;
  decision: string;
  reasons: JSONColumnType<{ policyId: string; message: string }[]>;
  policyRequest: JSONColumnType<Record<string, unknown>>;
  status: string;
  execution: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  executedAt: NullableTimestamp;
}

/** The gate's tables. */
export interface GateTables {
  gateDecisions: GateDecisionsTable;
}
