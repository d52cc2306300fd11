/**
 * `POST /api/gate/decisions/{id}/executed`: the agent reports what came of executing a decision. One record per
 * decision, keyed by the decision's own idempotency key: a repeat of the same report returns the first record; a
 * different report, another key, another payload, or a decision that may not be executed (waiting, rejected,
 * expired) is refused and changes nothing. Audited (channel `gate`) in the same transaction as the record.
 */
import { findApprovalForDecision } from '../approvals/approval-requests.ts';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';
import { LeashError, notFound } from '../domain/errors.ts';
import { currentStatus } from './decision-status.ts';
import { recordGateStep } from './gate-audit.ts';
import { type ExecutionRecord, findGateDecision, type GateDecision, recordGateExecution } from './gate-decisions.ts';
import { EXTERNAL_OPERATION, type GateCaller } from './gate-types.ts';

/** What the agent reports. */
export interface ExecutionReport {
  idempotency_key: string;
  status: 'succeeded' | 'failed';
  payload_hash: string;
  detail?: string | undefined;
}

/** The answer: the decision's one execution record, and whether this call repeated an earlier one. */
export interface ExecutionAnswer {
  decision_id: string;
  status: 'executed';
  execution: ExecutionRecord;
  replayed: boolean;
}

const reportHash = (report: ExecutionReport) =>
  sha256Hex(
    canonicalJson({
      idempotency_key: report.idempotency_key,
      status: report.status,
      payload_hash: report.payload_hash,
      detail: report.detail ?? null,
    }),
  );

/** The first record again for the same report, a conflict for any other. */
function repeatOf(decision: GateDecision, hash: string): ExecutionAnswer {
  const first = decision.execution as ExecutionRecord;
  if (first.report_hash !== hash)
    throw new LeashError(
      'conflict',
      `decision ${decision.id} already has an execution record; a different report is refused`,
    );
  return { decision_id: decision.id, status: 'executed', execution: first, replayed: true };
}

/** Checks the report against the decision; throws what refuses it. */
function checkReport(decision: GateDecision, report: ExecutionReport, status: string): 'pass' | 'approved' {
  if (report.idempotency_key !== decision.idempotencyKey)
    throw new LeashError('conflict', 'this decision was validated with another idempotency_key', {
      field: 'idempotency_key',
    });
  if (report.payload_hash !== decision.payloadHash)
    throw new LeashError('conflict', "the payload differs from the decision's; validate it again", {
      field: 'payload_hash',
    });
  if (status === 'pass' || status === 'approved') return status;
  const why: Record<string, string> = {
    pending_approval: 'it is waiting for approval',
    rejected: 'its approval was rejected',
    expired: 'it expired; validate again',
  };
  throw new LeashError('invalid_state', `decision ${decision.id} may not be executed: ${why[status] ?? status}`);
}

/** Records the outcome of executing decision `id`. */
export async function recordExecution(
  caller: GateCaller,
  id: string,
  report: ExecutionReport,
): Promise<ExecutionAnswer> {
  const orgId = caller.actor.orgId;
  const hash = reportHash(report);
  const decision = await findGateDecision(caller.db, orgId, id);
  if (!decision) throw notFound('gate decision', id);
  if (decision.execution) return repeatOf(decision, hash);
  const approval = await findApprovalForDecision(caller.db, orgId, id);
  const from = checkReport(decision, report, currentStatus(decision, approval, new Date()));
  const now = new Date();
  const record: ExecutionRecord = {
    idempotency_key: report.idempotency_key,
    status: report.status,
    detail: report.detail ?? null,
    report_hash: hash,
    recorded_at: now.toISOString(),
  };
  const written = await caller.db.transaction().execute(async (trx) => {
    if (!(await recordGateExecution(trx, { orgId, id, from, record, now }))) return false;
    await recordGateStep(trx, caller, report.status === 'succeeded' ? 'execution.succeeded' : 'execution.failed', {
      operation: EXTERNAL_OPERATION,
      arguments: { decisionId: id, idempotencyKey: report.idempotency_key, payloadHash: report.payload_hash },
      result: { status: report.status, detail: report.detail ?? null },
    });
    return true;
  });
  if (written) return { decision_id: id, status: 'executed', execution: record, replayed: false };
  // Another report won the race: answer as a repeat of it.
  const recorded = await findGateDecision(caller.db, orgId, id);
  if (recorded?.execution) return repeatOf(recorded, hash);
  throw new LeashError('invalid_state', `decision ${id} may not be executed now`);
}
