/** What surfaces show of a proposal: preview, decision, approval state and what happens next. */
import type { ApprovalRequest } from '../approvals/approval-requests.ts';
import { personDuration } from '../domain/person-time.ts';
import type { Decision } from '../policy/decide.ts';
import type { Preview } from './define-operation.ts';
import type { Proposal, ProposalStatus } from './proposals.ts';

/** A proposal as every surface returns it. */
export interface ProposalView {
  id: string;
  operation: string;
  kind: string;
  status: ProposalStatus;
  preview: Preview;
  decision: Pick<
    Decision,
    'outcome' | 'decisionId' | 'reasons' | 'requiredApprovers' | 'remediation' | 'needsConfirmText'
  >;
  approval: {
    id: string;
    status: ApprovalRequest['status'];
    expiresAt: Date;
    groups: string[];
    roles: string[];
    /** Shown once, to the requester, when the request is created. */
    handle?: string;
  } | null;
  next: string;
}

/** Who may approve, in words ("finance or an owner"). */
export function describeApprovers(groups: readonly string[], roles: readonly string[]): string {
  const names = [
    ...groups.map((group) => group.replace('_', ' ')),
    ...roles.map((role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role.replace('_', ' ')}`),
  ];
  if (names.length === 0) return 'a second member';
  if (names.length === 1) return names[0] as string;
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** Builds the view of a proposal (and its approval request, if any). */
export function viewProposal(proposal: Proposal, approval?: ApprovalRequest, handle?: string): ProposalView {
  const decision = proposal.decision;
  const confirmHint = decision.needsConfirmText ? ' with the text CONFIRM (it cannot be undone)' : '';
  const next =
    proposal.status === 'awaiting_confirmation'
      ? `confirm proposal ${proposal.id}${confirmHint} to execute it`
      : proposal.status === 'awaiting_approval'
        ? `needs approval by ${describeApprovers(approval?.groups ?? decision.requiredApprovers.groups, approval?.roles ?? decision.requiredApprovers.roles)}${approval ? ` (request ${approval.id}, expires in ${personDuration(approval.expiresAt.getTime() - Date.now())})` : ''}`
        : proposal.status === 'blocked'
          ? `blocked: ${decision.remediation ?? decision.reasons.map((reason) => reason.message).join('; ')}`
          : `${proposal.status.replace('_', ' ')}`;
  return {
    id: proposal.id,
    operation: proposal.operation,
    kind: proposal.kind,
    status: proposal.status,
    preview: proposal.preview,
    decision: {
      outcome: decision.outcome,
      decisionId: decision.decisionId,
      reasons: decision.reasons,
      requiredApprovers: decision.requiredApprovers,
      ...(decision.remediation ? { remediation: decision.remediation } : {}),
      needsConfirmText: decision.needsConfirmText,
    },
    approval: approval
      ? {
          id: approval.id,
          status: approval.status,
          expiresAt: approval.expiresAt,
          groups: approval.groups,
          roles: approval.roles,
          ...(handle ? { handle } : {}),
        }
      : null,
    next,
  };
}
