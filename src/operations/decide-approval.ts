/**
 * Approve or reject an approval request. The approver is never the requester, must be allowed to do the action
 * (under `caps` their own cap must cover it), the request must be pending and unexpired, and it is used once.
 * Approval then executes the exact payload it was bound to, after the gate runs again on current facts. An
 * irreversible action approved without the text CONFIRM is refused before the request is used, so it stays open.
 */
import type { Transaction } from 'kysely';
import {
  type ApprovalRequest,
  expireApprovalRequest,
  findApprovalRequest,
  settleApprovalRequest,
} from '../approvals/approval-requests.ts';
import { LeashError, notFound } from '../domain/errors.ts';
import { approveGateRequest, rejectGateRequest } from '../gate/decide-gate-approval.ts';
import type { Database } from '../store/schema.ts';
import { recordStep } from './audit-trail.ts';
import { refuseWithoutConfirmText } from './confirm-proposal.ts';
import type { OperationContext, WriteOperation } from './define-operation.ts';
import { type ExecutionOutcome, executeProposal, releaseReservation } from './execute-proposal.ts';
import { gateRequest } from './gate-request.ts';
import { limitUsage } from './limits.ts';
import { parseInput } from './parse-input.ts';
import { modeGrantOf } from './policy-modes.ts';
import { loadProposal, setProposalStatus } from './proposals.ts';
import { findOperation } from './registry.ts';

async function refuse(
  context: OperationContext,
  request: ApprovalRequest,
  policyId: string,
  message: string,
): Promise<never> {
  await recordStep(context.db, context, 'decision.made', {
    proposalId: request.proposalId,
    decision: { outcome: 'block', stage: 'approve', approvalId: request.id, reasons: [{ policyId, message }] },
  });
  throw new LeashError('blocked', message, { policyId });
}

/** Loads a pending request, expiring it (and refusing) when its time has passed. */
async function loadPending(context: OperationContext, reference: string): Promise<ApprovalRequest> {
  const request = await findApprovalRequest(context.db, context.actor.orgId, reference);
  if (!request?.proposalId) throw notFound('approval request', reference);
  const now = new Date();
  const proposalId = request.proposalId;
  if (request.status === 'pending' && request.expiresAt <= now) {
    await context.db.transaction().execute(async (trx) => {
      const expired = await expireApprovalRequest(trx, request.orgId, request.id, now);
      if (!expired) return;
      const proposal = await loadProposal(trx, request.orgId, proposalId, true);
      await setProposalStatus(trx, request.orgId, proposalId, 'expired');
      await releaseReservation(trx, proposal);
      await recordStep(trx, context, 'approval.expired', {
        operation: proposal.operation,
        proposalId: proposal.id,
        result: { approvalId: request.id },
      });
    });
    return refuse(
      context,
      request,
      'approval.expired',
      `approval request ${request.id} expired at ${request.expiresAt.toISOString()}`,
    );
  }
  if (request.status !== 'pending')
    return refuse(context, request, 'approval.used', `approval request ${request.id} is already ${request.status}`);
  return request;
}

/** Checks that the context's actor may decide this request (not the requester; allowed and within cap). */
async function checkApprover(context: OperationContext, request: ApprovalRequest) {
  if (request.requesterId === context.actor.memberId) {
    await refuse(context, request, 'approval.self', 'you cannot approve your own request; another member must');
  }
  const proposal = await loadProposal(context.db, context.actor.orgId, request.proposalId ?? '');
  const operation = findOperation(proposal.operation) as WriteOperation<unknown, unknown> | undefined;
  const requester = await context.findActor(proposal.requesterId);
  if (!operation || !requester)
    return refuse(context, request, 'approval.stale', 'the request no longer matches an operation or a member');
  let input: unknown;
  let facts: Awaited<ReturnType<typeof operation.facts>>;
  try {
    input = parseInput(operation.input, proposal.input);
    facts = await operation.facts({ ...context, actor: requester }, input, context.connector(context.db));
  } catch (error) {
    // The stored action no longer makes sense against current facts: nothing can be approved.
    if (!(error instanceof LeashError)) throw error;
    return refuse(context, request, `facts.${error.code}`, error.message);
  }
  // The limits as they stand, without this proposal's own reservation, so a limit WARN routes as it did.
  const decisionFacts = facts.decision;
  const usage = await context.db.transaction().execute((trx) =>
    limitUsage(trx, {
      orgId: proposal.orgId,
      memberId: requester.memberId,
      kind: operation.kind,
      money: decisionFacts.money,
      customerIds: decisionFacts.customerIds,
      at: new Date(),
      excludeProposalId: proposal.id,
    }),
  );
  const verdict = context.gate.canApprove(
    context.actor,
    gateRequest({
      context,
      actor: requester,
      operation,
      operationInput: input,
      facts: facts.decision,
      stage: 'execute',
      proposalId: proposal.id,
      ...usage,
      modes: await modeGrantOf(context.db, requester),
    }),
  );
  if (verdict.outcome !== 'pass') {
    await refuse(
      context,
      request,
      verdict.reasons[0]?.policyId ?? 'approval.not_allowed',
      verdict.reasons.map((reason) => reason.message).join('; '),
    );
  }
  return proposal;
}

/** A gate decision's request (an external agent's action, src/gate), or undefined for a proposal's. */
async function gateRequestOf(context: OperationContext, reference: string): Promise<ApprovalRequest | undefined> {
  const request = await findApprovalRequest(context.db, context.actor.orgId, reference);
  return request?.decisionId ? request : undefined;
}

/** Approves request `reference` (id or handle) and executes the approved payload. */
export async function approveRequest(
  context: OperationContext,
  reference: string,
  options: { reason: string; confirmText?: string | undefined },
): Promise<ExecutionOutcome> {
  const forGate = await gateRequestOf(context, reference);
  if (forGate) return approveGateRequest(context, forGate, options);
  const pending = await loadPending(context, reference);
  const proposal = await checkApprover(context, pending);
  // Before the request is used: an irreversible action approved without CONFIRM is refused and stays open.
  if (proposal.decision.needsConfirmText)
    await refuseWithoutConfirmText(context, proposal, options.confirmText, 'approve', pending.id);
  const settled = await context.db.transaction().execute(async (trx) => {
    const approved = await settleApprovalRequest(trx, {
      orgId: pending.orgId,
      id: pending.id,
      status: 'approved',
      deciderId: context.actor.memberId,
      reason: options.reason,
      now: new Date(),
    });
    if (approved) {
      await recordStep(trx, context, 'approval.granted', {
        operation: proposal.operation,
        proposalId: proposal.id,
        result: { approvalId: approved.id, reason: options.reason, payloadHash: approved.payloadHash },
      });
    }
    return approved;
  });
  if (!settled)
    return refuse(
      context,
      pending,
      'approval.used',
      `approval request ${pending.id} was decided by someone else first`,
    );
  return executeProposal(context, proposal.id, { approval: settled, confirmText: options.confirmText });
}

/** Rejects request `reference` with a reason; the proposal ends and its reservation is released. */
export async function rejectRequest(
  context: OperationContext,
  reference: string,
  options: { reason: string },
): Promise<ApprovalRequest> {
  const forGate = await gateRequestOf(context, reference);
  if (forGate) return rejectGateRequest(context, forGate, options);
  const pending = await loadPending(context, reference);
  const proposal = await checkApprover(context, pending);
  const rejected = await context.db.transaction().execute(async (trx: Transaction<Database>) => {
    const settled = await settleApprovalRequest(trx, {
      orgId: pending.orgId,
      id: pending.id,
      status: 'rejected',
      deciderId: context.actor.memberId,
      reason: options.reason,
      now: new Date(),
    });
    if (!settled) return undefined;
    await setProposalStatus(trx, proposal.orgId, proposal.id, 'rejected');
    await releaseReservation(trx, proposal);
    await recordStep(trx, context, 'approval.rejected', {
      operation: proposal.operation,
      proposalId: proposal.id,
      result: { approvalId: settled.id, reason: options.reason },
    });
    return settled;
  });
  if (!rejected)
    return refuse(
      context,
      pending,
      'approval.used',
      `approval request ${pending.id} was decided by someone else first`,
    );
  return rejected;
}
