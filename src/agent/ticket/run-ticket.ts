/**
 * The four-role ticket workflow (seed 000): Billing Classifier → Account Scout → Approval Reviewer →
 * Response Drafter, then the ticket is stored. Every step is an audited operation or an audit row; the
 * proposals the reviewer opens go through the same pipeline and gate as anything a person proposes, so the
 * customer's words (kept as `user_input`) can never approve or execute anything.
 */

import { LeashError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { TicketClass } from '../../domain/tickets.ts';
import { recordStep } from '../../operations/audit-trail.ts';
import type { OperationContext } from '../../operations/define-operation.ts';
import { describeApprovers } from '../../operations/proposal-view.ts';
import { proposalBacking } from '../../operations/reply-backing.ts';
import { confirmProposal, type ProposalView, proposeOperation } from '../../operations/run-operation.ts';
import { type ClaimFinding, checkClaims } from '../../policy/claim-checker.ts';
import { type ScoutReport, scoutAccount, type TicketFact } from './account-scout.ts';
import { type Classification, defaultClassifier } from './classifier.ts';
import { type DraftedAction, draftReply } from './response-drafter.ts';

/** A proposal the reviewer opened. */
export interface ReviewedProposal {
  proposal_id: string;
  operation: string;
  outcome: 'pass' | 'warn' | 'block';
  status: string;
  summary: string;
  approvers: string;
}

/** What `leash ticket` answers. */
export interface TicketResult {
  ticket: { id: string; number: string; status: string };
  customer: { id: string; name: string };
  classification: Classification;
  facts: TicketFact[];
  draft: string;
  findings: ClaimFinding[];
  proposals: ReviewedProposal[];
  approvalsNeeded: string[];
  /** The draft kept as a reply (messaging.draft), ready for `send_reply`; null when the member may not draft. */
  messageId: string | null;
}

/** Below this the classifier's answer is shown as uncertain and the ticket asks a person to check it. */
export const CONFIDENT = 0.5;

function reviewed(proposal: ProposalView): ReviewedProposal {
  return {
    proposal_id: proposal.id,
    operation: proposal.operation,
    outcome: proposal.decision.outcome,
    status: proposal.status,
    summary: proposal.preview.summary,
    approvers:
      proposal.decision.outcome === 'warn'
        ? describeApprovers(proposal.decision.requiredApprovers.groups, proposal.decision.requiredApprovers.roles)
        : proposal.decision.outcome === 'block'
          ? proposal.decision.reasons.map((reason) => reason.message).join('; ')
          : 'the requester confirms',
  };
}

/**
 * Approval Reviewer: opens the proposals a ticket calls for (a refund request for a double charge) and names
 * the approvals anything else would need.
 */
async function reviewTicket(
  context: OperationContext,
  ticketClass: TicketClass,
  report: ScoutReport,
  ticketId: string,
): Promise<{ proposals: ReviewedProposal[]; approvalsNeeded: string[] }> {
  const proposals: ReviewedProposal[] = [];
  const approvalsNeeded: string[] = [];
  if (ticketClass === 'invoice' || ticketClass === 'refund') {
    for (const double of report.doubleCharges.slice(0, 3)) {
      const later = double.charges[1];
      if (!later || double.refundable <= 0) continue;
      const proposal = await proposeOperation(context, 'refund_charge', {
        charge_id: later.id,
        amount: double.refundable,
        reason: `duplicate charge: ${double.summary}`,
        case_id: ticketId,
      });
      proposals.push(reviewed(proposal));
    }
  }
  for (const group of report.duplicateSubscriptions) {
    const extra = group.subscriptions.slice(1).map((evidence) => evidence.subscriptionId);
    approvalsNeeded.push(
      `Cancelling the duplicate subscription ${extra.join(', ')} is a billing.cancel: a billing manager proposes it and support lead or finance approves.`,
    );
  }
  if (ticketClass === 'cancellation')
    approvalsNeeded.push(
      'Cancelling a subscription needs a billing manager to propose it and support lead or finance to approve.',
    );
  if (ticketClass === 'tax')
    approvalsNeeded.push('Any reply that states how tax applies needs legal to approve before it is sent.');
  for (const proposal of proposals)
    if (proposal.outcome === 'warn') approvalsNeeded.push(`${proposal.summary}: needs ${proposal.approvers}.`);
  return { proposals, approvalsNeeded };
}

/** Runs the workflow for one customer message and stores the ticket. */
export async function runTicket(
  baseContext: OperationContext,
  input: { message: string; customer: string },
): Promise<TicketResult> {
  const message = input.message.trim();
  if (!message) throw new LeashError('bad_input', 'the message is empty', { field: 'message' });
  // The customer's words led to whatever is proposed: they travel as user_input (data, never instructions).
  const context: OperationContext = { ...baseContext, userInput: message };
  const ticketId = newId('ticket');

  // 1. Billing Classifier.
  const classification = defaultClassifier().classify(message);
  const ticketClass = classification.label;
  // 2. Account Scout.
  const report = await scoutAccount(context, ticketClass, input.customer);
  await recordStep(context.db, context, 'ticket.classified', {
    operation: 'ticket',
    subjects: { customerId: report.customer.id },
    arguments: { ticketId, customer: report.customer.id },
    result: { class: ticketClass, confidence: classification.confidence, facts: report.facts.length },
  });
  // 3. Approval Reviewer opens the proposals; 4. the drafter writes what they allow it to say.
  const { proposals, approvalsNeeded } = await reviewTicket(context, ticketClass, report, ticketId);
  const actions: DraftedAction[] = proposals
    .filter((proposal) => proposal.outcome !== 'block')
    .map((proposal) => ({ operation: proposal.operation, summary: proposal.summary, status: proposal.status }));
  const draft = draftReply(ticketClass, report, actions);
  const findings = checkClaims(draft, {
    customer: report.customer,
    backing: await proposalBacking(
      context.db,
      context.actor.orgId,
      proposals.map((proposal) => proposal.proposal_id),
    ),
  });
  if (classification.confidence < CONFIDENT)
    approvalsNeeded.unshift(
      `The classifier is unsure (${ticketClass}, ${Math.round(classification.confidence * 100)}%): a person should check the class.`,
    );
  await recordStep(context.db, context, 'ticket.reviewed', {
    operation: 'ticket',
    subjects: { customerId: report.customer.id },
    arguments: { ticketId },
    result: {
      proposals: proposals.map((proposal) => proposal.proposal_id),
      findings: findings.length,
      approvalsNeeded,
    },
  });

  // The ticket itself, through the pipeline (support.case_update).
  const stored = await proposeOperation(context, 'create_ticket', {
    customer: report.customer.id,
    message,
    class: ticketClass,
    confidence: classification.confidence,
    scores: classification.scores,
    facts: report.facts.slice(0, 50),
    draft,
    findings,
    proposals,
    approvals_needed: approvalsNeeded,
    ticket_id: ticketId,
    reason: `ticket from ${report.customer.name}`,
    case_id: ticketId,
  });
  if (stored.decision.outcome !== 'pass')
    throw new LeashError(
      'blocked',
      `the ticket could not be stored: ${stored.decision.reasons.map((reason) => reason.message).join('; ')}`,
    );
  const outcome = await confirmProposal(context, stored.id);
  if (outcome.status !== 'succeeded')
    throw new LeashError(
      'blocked',
      `the ticket could not be stored: ${outcome.reasons.map((reason) => reason.message).join('; ')}`,
    );
  const ticket = outcome.result as { ticketId: string; number: string; status: string };
  const messageId = await keepDraft(context, report.customer.id, ticket, draft);
  return {
    ticket: { id: ticket.ticketId, number: ticket.number, status: ticket.status },
    customer: { id: report.customer.id, name: report.customer.name },
    classification,
    facts: report.facts,
    draft,
    findings,
    proposals,
    approvalsNeeded,
    messageId,
  };
}

/** Keeps the draft as a reply linked to the ticket, so sending it is one `send_reply` away (and gated). */
async function keepDraft(
  context: OperationContext,
  customerId: string,
  ticket: { ticketId: string; number: string },
  draft: string,
): Promise<string | null> {
  const proposal = await proposeOperation(context, 'draft_reply', {
    customer: customerId,
    body: draft,
    subject: `About your billing question (${ticket.number})`,
    ticket: ticket.ticketId,
    reason: `draft for ${ticket.number}`,
    case_id: ticket.ticketId,
  });
  if (proposal.decision.outcome !== 'pass') return null;
  const outcome = await confirmProposal(context, proposal.id);
  return outcome.status === 'succeeded' ? (outcome.result as { messageId: string }).messageId : null;
}
