/** Confirm: the requester executes their own PASS proposal. A WARN proposal cannot be confirmed, only approved. */
import { findApprovalForProposal } from '../approvals/approval-requests.ts';
import { LeashError } from '../domain/errors.ts';
import { recordStep } from './audit-trail.ts';
import type { OperationContext } from './define-operation.ts';
import { type ExecutionOutcome, executeProposal } from './execute-proposal.ts';
import { describeApprovers } from './proposal-view.ts';
import { loadProposal } from './proposals.ts';

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
  if (proposal.status === 'awaiting_approval') {
    const approval = await findApprovalForProposal(context.db, context.actor.orgId, proposalId);
    return refuse(
      'confirm.needs_approval',
      `this action needs approval by ${describeApprovers(approval?.groups ?? [], approval?.roles ?? [])}; it cannot be confirmed by its requester`,
    );
  }
  if (proposal.status === 'blocked')
    return refuse('confirm.blocked', 'this proposal was blocked by policy; nothing can confirm it');
  return executeProposal(context, proposalId, { confirmText: options.confirmText });
}
