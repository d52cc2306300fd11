/**
 * Approving or rejecting a gate decision's WARN in the inbox. The same rules as a proposal's approval: pending and
 * unexpired, never by the requester (the member whose key or session asked), by an approver the request is routed
 * to who may do the action themselves (under `caps`, within their own cap), used once. Approval does not change
 * the original decision: it authorizes the agent to execute that decision's payload (its hash) once. Leash itself
 * executes nothing here; the agent reports the outcome (record-execution.ts).
 */
import type { Kysely } from 'kysely';
import { type ApprovalRequest, expireApprovalRequest, settleApprovalRequest } from '../approvals/approval-requests.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { AuditEventName } from '../audit/events.ts';
import { LeashError } from '../domain/errors.ts';
import { modeGrantOf } from '../operations/policy-modes.ts';
import type { Actor, DecisionRequest, Gate } from '../policy/decide.ts';
import type { Database } from '../store/schema.ts';
import { findGateDecision, type GateDecision, moveGateDecision } from './gate-decisions.ts';
import { EXTERNAL_OPERATION } from './gate-types.ts';

/** What deciding needs of the approver's context (an operations context has all of it). */
export interface ApproverContext {
  readonly db: Kysely<Database>;
  readonly actor: Actor;
  readonly gate: Gate;
  readonly channel: string;
  readonly requestId: string;
  readonly findActor: (memberId: string) => Promise<Actor | undefined>;
}

/** What approving a gate decision comes to (the shape of an execution outcome: nothing ran in Leash). */
export interface GateApprovalOutcome {
  proposalId: string;
  status: 'succeeded';
  executionId: null;
  result: { decisionId: string; approval: 'approved'; note: string };
  reasons: { policyId: string; message: string }[];
}

async function record(
  executor: Kysely<Database>,
  context: ApproverContext,
  event: AuditEventName,
  decisionId: string,
  extra: { result?: unknown; decision?: unknown },
) {
  await appendAuditEvent(executor, {
    orgId: context.actor.orgId,
    event,
    actorId: context.actor.memberId,
    actorEmail: context.actor.email,
    actorRole: context.actor.role,
    channel: context.channel,
    requestId: context.requestId,
    operation: EXTERNAL_OPERATION,
    arguments: { decisionId },
    decision: extra.decision ?? null,
    result: extra.result ?? null,
  });
}

async function refuse(
  context: ApproverContext,
  request: ApprovalRequest,
  policyId: string,
  message: string,
): Promise<never> {
  await record(context.db, context, 'decision.made', request.decisionId ?? '', {
    decision: { outcome: 'block', stage: 'approve', approvalId: request.id, reasons: [{ policyId, message }] },
  });
  throw new LeashError('blocked', message, { policyId });
}

/** Refuses a request that is not pending, expiring it (and its decision) when its time has passed. */
async function checkPending(context: ApproverContext, request: ApprovalRequest): Promise<void> {
  const now = new Date();
  if (request.status === 'pending' && request.expiresAt <= now) {
    await context.db.transaction().execute(async (trx) => {
      if (!(await expireApprovalRequest(trx, request.orgId, request.id, now))) return;
      await moveGateDecision(trx, {
        orgId: request.orgId,
        id: request.decisionId ?? '',
        from: ['pending_approval'],
        to: 'expired',
      });
      await record(trx, context, 'approval.expired', request.decisionId ?? '', { result: { approvalId: request.id } });
    });
    await refuse(context, request, 'approval.expired', `approval request ${request.id} expired`);
  }
  if (request.status !== 'pending')
    await refuse(context, request, 'approval.used', `approval request ${request.id} is already ${request.status}`);
}

/**
 * The policy's question as it was asked, with the requester as they are now: their role and their modes (a mode
 * switched off since the agent asked blocks the approval, as it blocks a proposal's).
 */
async function questionOf(db: Kysely<Database>, decision: GateDecision, requester: Actor): Promise<DecisionRequest> {
  const { policyOutcome: _outcome, routes: _routes, requesterId: _requester, ...asked } = decision.policyRequest;
  const modes = await modeGrantOf(db, requester);
  return { ...(asked as unknown as DecisionRequest), actor: requester, modes, stage: 'execute' };
}

/** Checks the approver: not the requester, routed, allowed the action (and within their cap where it applies). */
async function checkApprover(context: ApproverContext, request: ApprovalRequest): Promise<GateDecision> {
  if (request.requesterId === context.actor.memberId)
    await refuse(context, request, 'approval.self', 'you cannot approve your own request; another member must');
  const decision = await findGateDecision(context.db, context.actor.orgId, request.decisionId ?? '');
  const requester = decision ? await context.findActor(decision.requesterId) : undefined;
  if (!decision || !requester)
    return refuse(context, request, 'approval.stale', 'the request no longer matches a decision or a member');
  const question = await questionOf(context.db, decision, requester);
  if (decision.policyRequest.policyOutcome === 'warn') {
    // The policy's own approval check: routing, permission and caps, on the requester's current role.
    const verdict = context.gate.canApprove(context.actor, question);
    if (verdict.outcome !== 'pass')
      await refuse(
        context,
        request,
        verdict.reasons[0]?.policyId ?? 'approval.not_allowed',
        verdict.reasons.map((reason) => reason.message).join('; '),
      );
    return decision;
  }
  // A WARN for a schema mismatch alone: the request's routing, and the policy still allowing the action.
  const routed =
    request.roles.includes(context.actor.role) || context.actor.groups.some((group) => request.groups.includes(group));
  if (!routed)
    await refuse(
      context,
      request,
      'approval.not_routed',
      `this request is for ${[...request.groups, ...request.roles].join(' or ')}`,
    );
  const again = context.gate.decide(question);
  if (again.outcome === 'block')
    await refuse(
      context,
      request,
      again.reasons[0]?.policyId ?? 'approval.not_allowed',
      again.reasons.map((reason) => reason.message).join('; '),
    );
  return decision;
}

/** Settles the request and moves the decision in one transaction, with its audit row; refuses a lost race. */
async function settle(
  context: ApproverContext,
  request: ApprovalRequest,
  verdict: 'approved' | 'rejected',
  reason: string,
): Promise<ApprovalRequest> {
  const settled = await context.db.transaction().execute(async (trx) => {
    const done = await settleApprovalRequest(trx, {
      orgId: request.orgId,
      id: request.id,
      status: verdict,
      deciderId: context.actor.memberId,
      reason,
      now: new Date(),
    });
    if (!done) return undefined;
    const moved = await moveGateDecision(trx, {
      orgId: request.orgId,
      id: request.decisionId ?? '',
      from: ['pending_approval'],
      to: verdict,
    });
    if (!moved) throw new LeashError('invalid_state', 'the decision is no longer waiting for approval');
    await record(
      trx,
      context,
      verdict === 'approved' ? 'approval.granted' : 'approval.rejected',
      request.decisionId ?? '',
      {
        result: { approvalId: done.id, reason, payloadHash: done.payloadHash },
      },
    );
    return done;
  });
  if (!settled)
    return refuse(
      context,
      request,
      'approval.used',
      `approval request ${request.id} was decided by someone else first`,
    );
  return settled;
}

/** Approves a gate decision's request: the agent may now execute that payload, once. */
export async function approveGateRequest(
  context: ApproverContext,
  request: ApprovalRequest,
  options: { reason: string },
): Promise<GateApprovalOutcome> {
  await checkPending(context, request);
  const decision = await checkApprover(context, request);
  await settle(context, request, 'approved', options.reason);
  return {
    proposalId: decision.id,
    status: 'succeeded',
    executionId: null,
    result: {
      decisionId: decision.id,
      approval: 'approved',
      note: `${decision.agentName} may now execute this decision's payload once and report the outcome`,
    },
    reasons: [],
  };
}

/** Rejects a gate decision's request: the agent must not execute it. */
export async function rejectGateRequest(
  context: ApproverContext,
  request: ApprovalRequest,
  options: { reason: string },
): Promise<ApprovalRequest> {
  await checkPending(context, request);
  await checkApprover(context, request);
  return settle(context, request, 'rejected', options.reason);
}
