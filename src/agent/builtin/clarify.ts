/**
 * Clarifying questions: a name several customers fit gets one question listing them; the next turn ("the second
 * one", a number, the name) completes the pending request with the customer chosen.
 */
import type { Mentions } from '../../operations/resolve-mentions.ts';
import type { PlannerReply, PlannerRequest, Referent } from '../agent-types.ts';
import type { AmbiguousCustomer } from './turn.ts';

/** The question a clarification starts with; a later turn that answers it completes the pending request. */
const CLARIFY_LEAD = 'Which customer do you mean by';

/** The answer to a clarifying question: the candidate picked by position ("the second one") or by name. */
function pickCandidate(text: string, candidates: readonly Referent[]): Referent | undefined {
  const lower = text.toLowerCase();
  const ordinals = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];
  const position =
    ordinals.findIndex((word) => new RegExp(`\\b${word}\\b`).test(lower)) + 1 ||
    Number(/(?:^|#|\bnumber\s+|\bno\.?\s*)(\d)\b/.exec(lower)?.[1] ?? 0);
  if (position > 0) return candidates[position - 1];
  if (/\blast\s+one\b/.test(lower)) return candidates[candidates.length - 1];
  const squeeze = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const said = squeeze(text);
  const exact = candidates.filter((candidate) => squeeze(candidate.label) === said);
  if (exact.length === 1) return exact[0];
  const partial = candidates.filter(
    (candidate) =>
      said.length >= 3 && (squeeze(candidate.label).includes(said) || said.includes(squeeze(candidate.label))),
  );
  return partial.length === 1 ? partial[0] : undefined;
}

/** The reply asking which customer a mention means; its referents are the candidates, in order. */
export function askWhich(error: AmbiguousCustomer): PlannerReply {
  const names = error.mention.candidates.map(
    (candidate, index) => `${index + 1}. ${candidate.name} (${candidate.email})`,
  );
  return {
    text: `${CLARIFY_LEAD} "${error.mention.text}"? ${error.mention.candidates.length} customers fit:\n${names.join('\n')}\nSay "the first one", a number, or the name; nothing has been proposed yet.`,
    referents: error.mention.candidates.map((candidate) => ({
      kind: 'customer',
      id: candidate.id,
      label: candidate.name,
    })),
    chart: null,
  };
}

/** The mentions with one ambiguous customer mention narrowed to the chosen candidate. */
export function narrowed(mentions: Mentions, chosen: Referent, mentionText: string): Mentions {
  return {
    ...mentions,
    customers: mentions.customers.map((mention) =>
      mention.text === mentionText
        ? { ...mention, candidates: mention.candidates.filter((candidate) => candidate.id === chosen.id) }
        : mention,
    ),
  };
}

/** A request that answers the previous turn's clarifying question: the original request and the chosen customer. */
export function pendingAnswer(
  request: PlannerRequest,
): { original: string; chosen: Referent; mention: string } | undefined {
  const last = request.history[request.history.length - 1];
  if (!last?.reply.startsWith(CLARIFY_LEAD)) return undefined;
  const mention = /^Which customer do you mean by "([^"]+)"/.exec(last.reply)?.[1];
  const chosen = pickCandidate(request.text.trim().replace(/[.!?]+$/, ''), last.referents);
  return mention && chosen ? { original: last.request, chosen, mention } : undefined;
}
