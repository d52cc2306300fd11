/**
 * What an agent polling `GET /api/gate/decisions/{id}` is told: the original decision (never changed by an
 * approval), where its approval stands, and the execution record once reported. Polls are audited as reads.
 */
import { findApprovalForDecision } from '../approvals/approval-requests.ts';
import { notFound } from '../domain/errors.ts';
import { recordGateStep } from './gate-audit.ts';
import {
  type ExecutionRecord,
  findGateDecision,
  type GateDecision,
  type GateDecisionStatus,
} from './gate-decisions.ts';
import { EXTERNAL_OPERATION, type GateCaller, type GateReason, type GateVerdict, toGateReasons } from './gate-types.ts';

/** The poll's answer. */
export interface DecisionStatus {
  decision_id: string;
  /** The original decision: approval authorizes execution, it does not turn a WARN into a PASS. */
  decision: GateVerdict;
  /** pass (execute now), pending_approval (wait), approved (execute now), rejected or expired (do not), executed. */
  status: GateDecisionStatus;
  /** True when the agent may execute now (and then report the outcome). */
  may_execute: boolean;
  reasons: GateReason[];
  payload_hash: string;
  idempotency_key: string;
  expires_at: string;
  approval: { status: string; decided_at: string | null; reason: string | null } | null;
  execution: ExecutionRecord | null;
}

/** The status as it stands now: a pending approval whose time has passed is expired, a PASS past its time too. */
export function currentStatus(
  decision: GateDecision,
  approval: { status: string; expiresAt: Date } | undefined,
  now: Date,
) {
  if (
    decision.status === 'pending_approval' &&
    approval &&
    (approval.status === 'expired' || approval.expiresAt <= now)
  )
    return 'expired';
  if ((decision.status === 'pass' || decision.status === 'approved') && decision.expiresAt <= now) return 'expired';
  return decision.status;
}

/** The decision `id` of the caller's org, as the agent sees it. */
export async function decisionStatus(caller: GateCaller, id: string): Promise<DecisionStatus> {
  const decision = await findGateDecision(caller.db, caller.actor.orgId, id);
  if (!decision) throw notFound('gate decision', id);
  const approval = await findApprovalForDecision(caller.db, caller.actor.orgId, id);
  const status = currentStatus(decision, approval, new Date());
  await recordGateStep(caller.db, caller, 'data.read', {
    operation: EXTERNAL_OPERATION,
    arguments: { decisionId: id },
    result: { status },
  });
  return {
    decision_id: decision.id,
    decision: decision.decision === 'warn' ? 'WARN' : 'PASS',
    status,
    may_execute: status === 'pass' || status === 'approved',
    reasons: toGateReasons(decision.reasons),
    payload_hash: decision.payloadHash,
    idempotency_key: decision.idempotencyKey,
    expires_at: decision.expiresAt.toISOString(),
    approval: approval
      ? {
          status: approval.status,
          decided_at: approval.decidedAt ? approval.decidedAt.toISOString() : null,
          reason: approval.decisionReason,
        }
      : null,
    execution: decision.execution,
  };
}
