/**
 * A proposal as a turn's text shows it: its number in the conversation, the server's summary, every change
 * with its value before and after, the decision, a warning when it followed customer-supplied text, and the
 * exact words that confirm it. What a person confirms is what this card showed them.
 */
import { describeProposalChanges } from '../domain/change-lines.ts';
import type { Preview } from '../operations/define-operation.ts';
import type { Decision } from '../policy/decide.ts';

/** What a card needs of a proposal (a proposal view or a stored proposal). */
export interface CardProposal {
  id: string;
  status: string;
  preview: Pick<Preview, 'summary' | 'changes'>;
  decision: Pick<Decision, 'outcome' | 'reasons' | 'needsConfirmText'>;
  /** What happens next, for a proposal the requester cannot confirm. */
  next?: string;
}

/** How the proposal can be confirmed from here: by a bare "yes", or only by naming it. */
export interface CardOptions {
  number: number;
  /** Untrusted text the planner read before proposing it (empty when none). */
  untrusted: readonly string[];
  /** True when a bare "yes" (or CONFIRM) in the next message would confirm it. */
  bareYes: boolean;
  /** The zone the reader reads times in (the member's; UTC when absent). */
  timeZone?: string | undefined;
}

/** The words that confirm a proposal awaiting confirmation. */
export function confirmWords(proposal: CardProposal, options: Pick<CardOptions, 'number' | 'bareYes'>): string {
  // A proposal from outside the conversation (named by its id) has no number: its id names it.
  const name = options.number > 0 ? String(options.number) : proposal.id;
  if (proposal.decision.needsConfirmText)
    return options.bareYes
      ? 'Type CONFIRM to proceed; it cannot be undone.'
      : `Type "CONFIRM ${name}" to proceed; it cannot be undone.`;
  return options.bareYes ? 'Say "yes" to go ahead.' : `Say "confirm ${name}" to go ahead.`;
}

/** The warning on a proposal that followed customer-supplied text. */
export function untrustedWarning(sources: readonly string[]): string {
  return `⚠ Proposed after reading customer-supplied text (${sources.join(', ')}): check every value above; a bare "yes" does not confirm it.`;
}

/** The card of one proposal. */
export function proposalCard(proposal: CardProposal, options: CardOptions): string {
  const reasons =
    proposal.decision.outcome === 'pass'
      ? ''
      : ` (${proposal.decision.reasons.map((reason) => reason.message).join('; ')})`;
  const next =
    proposal.status === 'awaiting_confirmation'
      ? confirmWords(proposal, options)
      : (proposal.next ?? proposal.status.replace('_', ' '));
  const [summary, ...changes] = describeProposalChanges(proposal.preview, '    ', options.timeZone).split('\n');
  return [
    `${options.number > 0 ? `${options.number}. ` : ''}${summary} — ${proposal.decision.outcome.toUpperCase()}${reasons}.`,
    ...changes,
    ...(options.untrusted.length > 0 ? [`   ${untrustedWarning(options.untrusted)}`] : []),
    `   ${next}`,
    `   proposal ${proposal.id}`,
  ].join('\n');
}
