/**
 * Confirming in a conversation, bound to what the person saw. A bare "yes" (or CONFIRM) confirms only when
 * exactly one proposal waits for the person's confirmation, its card was the last thing shown (the previous
 * reply), and it was not proposed after the planner read customer-supplied text. Otherwise nothing is
 * confirmed: the waiting proposals come back as numbered cards, and the person names one ("confirm 2", its
 * id, or the dashboard's button). A planner never confirms; text from data is never consent.
 */
import { LeashError } from '../domain/errors.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { ExecutionOutcome } from '../operations/execute-proposal.ts';
import { loadProposal, type Proposal } from '../operations/proposals.ts';
import { confirmProposal } from '../operations/run-operation.ts';
import type { AgentCall, PlannerReply } from './agent-types.ts';
import type { StoredTurn } from './conversations.ts';
import { proposalCard } from './proposal-cards.ts';

/** The pseudo-operation a person's confirmation is listed as among a turn's calls. */
export const CONFIRM = 'confirm_proposal';

const YES = /^(?:yes|y|yep|yeah|sure|ok(?:ay)?|confirm(?:ed)?|go(?:\s+ahead)?|do\s+it|proceed|please\s+do)[.!]?$/i;
const NO = /^(?:no|n|nope|cancel|stop|don'?t|never\s*mind|abort)[.!]?$/i;
const NAMED = /^(confirm)\s+(?:proposal\s+)?(?:#|no\.?\s*|number\s+)?(\d{1,4}|prop_[A-Za-z0-9]+)[.!]?$/i;

/** What a person's short answer asks for; undefined when it is a request for the planner. */
export type ShortAnswer =
  | { kind: 'yes'; confirmText: boolean }
  | { kind: 'no' }
  | { kind: 'named'; reference: string; confirmText: boolean };

/** Reads "yes", "CONFIRM", "no", "confirm 2", "CONFIRM prop_…". */
export function shortAnswerOf(text: string): ShortAnswer | undefined {
  if (text === 'CONFIRM') return { kind: 'yes', confirmText: true };
  if (YES.test(text)) return { kind: 'yes', confirmText: false };
  if (NO.test(text)) return { kind: 'no' };
  const named = NAMED.exec(text);
  if (named?.[2]) return { kind: 'named', reference: named[2], confirmText: named[1] === 'CONFIRM' };
  return undefined;
}

/** A proposal of the conversation with its number (order of appearance) and whether it followed data. */
export interface NumberedProposal {
  number: number;
  id: string;
  untrusted: string[];
}

/** The conversation's proposals, numbered 1, 2, … in the order they were proposed. */
export function numberedProposals(turns: readonly StoredTurn[]): NumberedProposal[] {
  const numbered: NumberedProposal[] = [];
  for (const turn of turns)
    for (const call of turn.calls)
      if (call.proposal && call.operation !== CONFIRM)
        numbered.push({
          number: numbered.length + 1,
          id: call.proposal.id,
          untrusted: call.proposal.untrusted_sources ?? (call.proposal.untrusted_context ? ['earlier data'] : []),
        });
  return numbered;
}

/** Proposals whose cards a turn showed in full (its proposal referents, written by the turn itself). */
export function shownIn(turn: StoredTurn | undefined): Set<string> {
  return new Set((turn?.referents ?? []).filter((referent) => referent.kind === 'proposal').map((item) => item.id));
}

/** A numbered proposal with its current state in the store. */
export interface Loaded extends NumberedProposal {
  proposal: Proposal;
  /** The zone its card words times in (the member's). */
  timeZone?: string | undefined;
}

/** The member's own proposals of the conversation, as they stand now. */
export async function loadNumbered(
  context: OperationContext,
  numbered: readonly NumberedProposal[],
): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const item of numbered) {
    const proposal = await loadProposal(context.db, context.actor.orgId, item.id);
    if (proposal.requesterId === context.actor.memberId) loaded.push({ ...item, proposal, timeZone: context.timeZone });
  }
  return loaded;
}

/** What answering produced: the reply, the cards it showed in full, the confirmation calls it made. */
export interface Answered {
  reply: PlannerReply;
  shown: string[];
}

interface Recorder {
  record(call: AgentCall): void;
  executions: ExecutionOutcome[];
}

function card(item: Loaded, bareYes: boolean): string {
  return proposalCard(item.proposal, {
    number: item.number,
    untrusted: item.untrusted,
    bareYes,
    timeZone: item.timeZone,
  });
}

/**
 * Answers a short answer against the conversation's proposals, or returns undefined when there is nothing it
 * could be about (the planner then takes the words as a request).
 */
export async function answerShort(
  context: OperationContext,
  answer: ShortAnswer,
  turns: readonly StoredTurn[],
  recorder: Recorder,
): Promise<Answered | undefined> {
  const numbered = numberedProposals(turns);
  if (numbered.length === 0 && answer.kind !== 'named') return undefined;
  const loaded = await loadNumbered(context, numbered);
  const waiting = loaded.filter((item) => item.proposal.status === 'awaiting_confirmation');
  const lastShown = shownIn(turns.at(-1));
  const held = loaded.filter((item) => item.proposal.status === 'awaiting_approval' && lastShown.has(item.id));
  if (answer.kind === 'no') {
    if (waiting.length === 0 && held.length === 0) return undefined;
    return {
      reply: {
        text: 'Nothing was done: what I proposed stays unconfirmed. (A request already sent for approval can be withdrawn by rejecting it.)',
        referents: [],
      },
      shown: [],
    };
  }
  if (answer.kind === 'named') return confirmNamed(context, answer, loaded, recorder);
  if (waiting.length === 0) {
    if (held.length === 0) return undefined;
    return {
      reply: {
        text: held
          .map(
            (item) =>
              `${item.number}. ${item.proposal.preview.summary}: this needs a second person's approval, so I cannot go ahead; it waits in the approval queue.`,
          )
          .join('\n'),
        referents: [],
      },
      shown: [],
    };
  }
  const [only] = waiting;
  if (waiting.length === 1 && only && lastShown.has(only.id) && only.untrusted.length === 0)
    return confirmOne(context, only, answer.confirmText, recorder, true);
  return { reply: { text: whyNotYes(waiting), referents: [] }, shown: waiting.map((item) => item.id) };
}

/** The reply to a bare "yes" that cannot be bound to one proposal: why, then every waiting card. */
function whyNotYes(waiting: readonly Loaded[]): string {
  const [only] = waiting;
  const why =
    waiting.length > 1
      ? `Nothing was confirmed: ${waiting.length} proposals are waiting, and "yes" does not say which. Name the one you mean ("confirm ${only?.number}"):`
      : only && only.untrusted.length > 0
        ? `Nothing was confirmed: this proposal was made after reading customer-supplied text, so a bare "yes" cannot confirm it. Check every value, then say "confirm ${only.number}":`
        : `Nothing was confirmed: your "yes" did not follow this proposal. Here it is again; say "yes" or "confirm ${only?.number}" to go ahead:`;
  const bareYes = waiting.length === 1 && only !== undefined && only.untrusted.length === 0;
  return [why, ...waiting.map((item) => card(item, bareYes))].join('\n\n');
}

/** "confirm 2", "confirm prop_…": the named proposal, if it is the member's. */
async function confirmNamed(
  context: OperationContext,
  answer: Extract<ShortAnswer, { kind: 'named' }>,
  loaded: readonly Loaded[],
  recorder: Recorder,
): Promise<Answered> {
  const reference = answer.reference;
  let target = loaded.find((item) => String(item.number) === reference || item.id === reference);
  if (!target && reference.startsWith('prop_')) {
    // An id the person copied from a card elsewhere (CLI, dashboard): theirs, or not found like any other id.
    const proposal = await loadProposal(context.db, context.actor.orgId, reference).catch(() => undefined);
    if (proposal && proposal.requesterId === context.actor.memberId)
      target = { number: 0, id: proposal.id, untrusted: [], proposal };
  }
  if (!target) {
    const numbers = loaded
      .filter((item) => item.proposal.status === 'awaiting_confirmation')
      .map((item) => item.number);
    return {
      reply: {
        text: `There is no proposal ${reference} of yours in this conversation; nothing was confirmed.${numbers.length ? ` Waiting: ${numbers.join(', ')}.` : ''}`,
        referents: [],
      },
      shown: [],
    };
  }
  return confirmOne(context, target, answer.confirmText, recorder, false);
}

/** Confirms one proposal the person chose, or says why it cannot be. */
async function confirmOne(
  context: OperationContext,
  item: Loaded,
  confirmText: boolean,
  recorder: Recorder,
  bareYes: boolean,
): Promise<Answered> {
  const { proposal } = item;
  const summary = proposal.preview.summary;
  const said = (text: string, shown: string[] = []): Answered => ({ reply: { text, referents: [] }, shown });
  if (proposal.status === 'awaiting_approval')
    return said(
      `${summary}: this needs a second person's approval, so I cannot go ahead; it waits in the approval queue.`,
    );
  if (proposal.status !== 'awaiting_confirmation')
    return said(`${summary}: already ${proposal.status.replace('_', ' ')}.`);
  if (proposal.decision.needsConfirmText && !confirmText)
    return said(`This cannot be undone, so "yes" is not enough.\n\n${card(item, bareYes)}`, [item.id]);
  const input = { proposal_id: proposal.id };
  try {
    const outcome = await confirmProposal(context, proposal.id, { confirmText: confirmText ? 'CONFIRM' : undefined });
    recorder.executions.push(outcome);
    recorder.record({
      operation: CONFIRM,
      input,
      outcome: outcome.status === 'blocked' ? 'block' : 'pass',
      result: outcome,
    });
    return said(
      outcome.status === 'succeeded'
        ? `Done: ${summary}.`
        : outcome.status === 'executing'
          ? `Started: ${summary}.`
          : `Not done (${outcome.status}): ${outcome.reasons.map((reason) => reason.message).join('; ') || summary}.`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof LeashError ? error.code : 'internal';
    recorder.record({
      operation: CONFIRM,
      input,
      outcome: code === 'blocked' ? 'block' : 'error',
      error: { code, message },
    });
    return said(`Not done: ${message}.`);
  }
}
