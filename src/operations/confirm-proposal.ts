/**
 * Confirm: the requester executes their own PASS proposal. A WARN proposal cannot be confirmed, only approved.
 * Confirming a proposal that already ran (or is running) runs nothing again: it answers with the first
 * execution's result and writes `confirm.replayed`, so every duplicate confirm leaves a trace. An irreversible
 * action without the CONFIRM text is refused as bad input and stays confirmable.
 */
import { findApprovalForProposal } from '../approvals/approval-requests.ts';
import { isLeashError, LeashError } from '../domain/errors.ts';
import { recordStep } from './audit-trail.ts';
import type { OperationContext } from './define-operation.ts';
import { type ExecutionOutcome, executeProposal } from './execute-proposal.ts';
import { describeApprovers } from './proposal-view.ts';
import { loadProposal, type Proposal } from './proposals.ts';

/** States a proposal is in once a confirmation (or an approval) has claimed its one execution. */
const CLAIMED = new Set(['executing', 'succeeded', 'failed']);

/** Confirms proposal `proposalId` as the context's actor. */
export async function confirmProposal(
  context: OperationContext,
  proposalId: string,
  options: { confirmText?: string | undefined } = {},
): Promise<ExecutionOutcome> {
  const proposal = await loadProposal(context.db, context.actor.orgId, proposalId);
  const refuse = async (policyId: string, message: string) => {
    await recordStep(context.db, context, 'decision.made', {
      operation: proposal.operation,
      proposalId,
      decision: { outcome: 'block', stage: 'confirm', reasons: [{ policyId, message }] },
    });
    throw new LeashError('blocked', message, { policyId });
  };
  if (proposal.requesterId !== context.actor.memberId) {
    return refuse('confirm.not_requester', 'only the member who proposed an action can confirm it');
  }
  if (CLAIMED.has(proposal.status)) {
    const replayed = await replay(context, proposal);
    if (replayed) return replayed;
  }
  if (proposal.status === 'awaiting_approval') {
    const approval = await findApprovalForProposal(context.db, context.actor.orgId, proposalId);
    return refuse(
      'confirm.needs_approval',
      `this action needs approval by ${describeApprovers(approval?.groups ?? [], approval?.roles ?? [])}; it cannot be confirmed by its requester`,
    );
  }
  if (proposal.status === 'blocked')
    return refuse('confirm.blocked', 'this proposal was blocked by policy; nothing can confirm it');
  if (proposal.status === 'awaiting_confirmation' && proposal.decision.needsConfirmText) {
    await refuseWithoutConfirmText(context, proposal, options.confirmText, 'confirm');
  }
  try {
    const outcome = await executeProposal(context, proposalId, { confirmText: options.confirmText });
    // Lost the race to another confirmation: answer with the execution that one claimed.
    if (outcome.executionId === null && (outcome.status === 'succeeded' || outcome.status === 'executing'))
      return (await replay(context, await loadProposal(context.db, context.actor.orgId, proposalId))) ?? outcome;
    return outcome;
  } catch (error) {
    if (!isLeashError(error, 'invalid_state')) throw error;
    const now = await loadProposal(context.db, context.actor.orgId, proposalId);
    if (!CLAIMED.has(now.status)) throw error;
    return (await replay(context, now)) ?? Promise.reject(error);
  }
}

/**
 * Refuses, as bad input, to act on an irreversible proposal without the text CONFIRM; the attempt is audited
 * and nothing is used up: the proposal (and its approval request) stays open for a confirmation that has it.
 */
export async function refuseWithoutConfirmText(
  context: OperationContext,
  proposal: Proposal,
  confirmText: string | undefined,
  stage: 'confirm' | 'approve',
  approvalId?: string,
): Promise<void> {
  if (confirmText === 'CONFIRM') return;
  const message = 'this action cannot be undone: send the text CONFIRM to proceed';
  await recordStep(context.db, context, 'decision.made', {
    operation: proposal.operation,
    proposalId: proposal.id,
    decision: {
      outcome: 'block',
      stage,
      ...(approvalId ? { approvalId } : {}),
      reasons: [{ policyId: 'confirm.text_required', message }],
    },
  });
  throw new LeashError('bad_input', message, { field: 'confirm_text', policyId: 'confirm.text_required' });
}

/** The first execution's outcome for a duplicate confirm, audited as `confirm.replayed`; undefined if none. */
async function replay(context: OperationContext, proposal: Proposal): Promise<ExecutionOutcome | undefined> {
  const execution = await context.db
    .selectFrom('executions')
    .select(['id', 'status', 'result', 'error'])
    .where('orgId', '=', context.actor.orgId)
    .where('proposalId', '=', proposal.id)
    .executeTakeFirst();
  if (!execution) return undefined;
  const status = execution.status as ExecutionOutcome['status'];
  await recordStep(context.db, context, 'confirm.replayed', {
    operation: proposal.operation,
    proposalId: proposal.id,
    result: { executionId: execution.id, status },
  });
  return {
    proposalId: proposal.id,
    status,
    executionId: execution.id,
    result: execution.result ?? (execution.error ? { message: execution.error } : null),
    reasons: [
      {
        policyId: 'pipeline.once',
        message: `already confirmed: execution ${execution.id} is ${status}; nothing ran again`,
      },
    ],
  };
}
