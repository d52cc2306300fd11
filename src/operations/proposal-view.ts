/** What surfaces show of a proposal: preview, decision, approval state and what happens next. */
import type { ApprovalRequest } from '../approvals/approval-requests.ts';
import { type MoneyLine, moneyLine } from '../domain/money-label.ts';
import { personDuration, personTime, zoneAbbreviation } from '../domain/person-time.ts';
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
  /** The preview's money with what it is ("Monthly revenue given away (USD)"), for the card's money line. */
  moneyLine?: MoneyLine | null;
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
  /** Proposals made alongside this one under their own kind and approval (a bulk action's notification). */
  companions?: ProposalView[];
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

/** When an approval request expires, in the reader's zone: "in 24 hours, tomorrow at 02:45 GMT+5:30". */
export function approvalExpiry(expiresAt: Date, timeZone?: string, now = new Date()): string {
  const at = personTime(expiresAt, now, timeZone);
  return `in ${personDuration(expiresAt.getTime() - now.getTime())}, ${at} ${zoneAbbreviation(expiresAt, timeZone)}`;
}

/** Builds the view of a proposal (and its approval request, if any); times read in `timeZone` (UTC by default). */
export function viewProposal(
  proposal: Proposal,
  approval?: ApprovalRequest,
  handle?: string,
  timeZone?: string,
): ProposalView {
  const decision = proposal.decision;
  const confirmHint = decision.needsConfirmText ? ' with the text CONFIRM (it cannot be undone)' : '';
  const next =
    proposal.status === 'awaiting_confirmation'
      ? `confirm proposal ${proposal.id}${confirmHint} to execute it`
      : proposal.status === 'awaiting_approval'
        ? `needs approval by ${describeApprovers(approval?.groups ?? decision.requiredApprovers.groups, approval?.roles ?? decision.requiredApprovers.roles)}${approval ? ` (request ${approval.id}, expires ${approvalExpiry(approval.expiresAt, timeZone)})` : ''}`
        : proposal.status === 'blocked'
          ? `blocked: ${decision.remediation ?? decision.reasons.map((reason) => reason.message).join('; ')}`
          : `${proposal.status.replace('_', ' ')}`;
  return {
    id: proposal.id,
    operation: proposal.operation,
    kind: proposal.kind,
    status: proposal.status,
    preview: proposal.preview,
    moneyLine: moneyLine(proposal.operation, proposal.preview.money),
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
