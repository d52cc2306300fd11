/**
 * The stored gate decisions (migration 0021): a PASS or WARN answered to another company's agent. Lookups are by
 * org (another org's id is simply absent); state changes are single conditional UPDATEs, so an execution record
 * is written once.
 */
import type { Kysely, Transaction } from 'kysely';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Where a decision stands. */
export type GateDecisionStatus = 'pass' | 'pending_approval' | 'approved' | 'rejected' | 'expired' | 'executed';

/** What the agent reported about its execution. */
export interface ExecutionRecord {
  idempotency_key: string;
  status: 'succeeded' | 'failed';
  detail: string | null;
  /** SHA-256 of the canonical report, so a repeat with other content is told apart. */
  report_hash: string;
  recorded_at: string;
}

/** A stored decision. */
export interface GateDecision {
  id: string;
  orgId: string;
  requesterId: string;
  apiKeyId: string | null;
  agentName: string;
  actionKind: string;
  actionType: string;
  payload: Record<string, unknown>;
  payloadHash: string;
  idempotencyKey: string;
  requestId: string;
  decision: 'pass' | 'warn';
  reasons: { policyId: string; message: string }[];
  policyRequest: Record<string, unknown>;
  status: GateDecisionStatus;
  execution: ExecutionRecord | null;
  createdAt: Date;
  expiresAt: Date;
  executedAt: Date | null;
}

/** Stores a new decision. */
export async function insertGateDecision(
  executor: Executor,
  decision: Omit<GateDecision, 'execution' | 'executedAt'>,
): Promise<void> {
  await executor
    .insertInto('gateDecisions')
    .values({
      ...decision,
      payload: json(decision.payload),
      reasons: json(decision.reasons),
      policyRequest: json(decision.policyRequest),
      execution: null,
    })
    .execute();
}

/** A decision of the org by id, or undefined. */
export async function findGateDecision(
  executor: Executor,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<GateDecision | undefined> {
  let query = executor.selectFrom('gateDecisions').selectAll().where('orgId', '=', orgId).where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toDecision(row) : undefined;
}

/** The decision validated earlier with this idempotency key, if any. */
export async function findByIdempotencyKey(
  executor: Executor,
  orgId: string,
  idempotencyKey: string,
): Promise<GateDecision | undefined> {
  const row = await executor
    .selectFrom('gateDecisions')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('idempotencyKey', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? toDecision(row) : undefined;
}

/** Moves a decision from one status to another; false when it was no longer in `from`. */
export async function moveGateDecision(
  executor: Executor,
  input: { orgId: string; id: string; from: readonly GateDecisionStatus[]; to: GateDecisionStatus },
): Promise<boolean> {
  const row = await executor
    .updateTable('gateDecisions')
    .set({ status: input.to })
    .where('orgId', '=', input.orgId)
    .where('id', '=', input.id)
    .where('status', 'in', [...input.from])
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Writes the execution record once; false when the decision was not (or no longer) executable. */
export async function recordGateExecution(
  executor: Executor,
  input: { orgId: string; id: string; from: 'pass' | 'approved'; record: ExecutionRecord; now: Date },
): Promise<boolean> {
  const row = await executor
    .updateTable('gateDecisions')
    .set({ status: 'executed', execution: json(input.record), executedAt: input.now })
    .where('orgId', '=', input.orgId)
    .where('id', '=', input.id)
    .where('status', '=', input.from)
    .where('execution', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

function toDecision(row: {
  decision: string;
  status: string;
  execution: Record<string, unknown> | null;
  [column: string]: unknown;
}): GateDecision {
  return row as unknown as GateDecision;
}
