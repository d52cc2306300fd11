/**
 * Suggested next steps in chat: right after an insight answer (failure rates, involuntary churn, overdue,
 * usage against limits), "do the first one", "do suggestion 2" or "propose number 3" proposes that suggestion
 * through the pipeline, where the policy decides and it waits for confirmation like any other change.
 *
 * The conversation remembers which insight it ran (operation and input); the suggestions are that insight's
 * answer again, computed by the server from its own figures. Only the suggestion's operation and structured
 * input are used — never words found in the data — and only operations suggestions may name.
 */
import { isSuggestedOperation, type Suggestion } from '../../insights/suggest.ts';
import type { PastTurn, PlannerReply } from '../agent-types.ts';
import type { Form } from './form.ts';
import type { Turn } from './turn.ts';

/** The insight operations whose answers carry suggestions. */
const SUGGESTING = new Set(['payment_failure_rates', 'involuntary_churn', 'overdue_summary', 'usage_against_limits']);

const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, '1st': 1, '2nd': 2 };
Object.assign(ORDINALS, { '3rd': 3, '4th': 4, '5th': 5 });

const PICK =
  /^(?:ok(?:ay)?[,.!]?\s+|great[,.!]?\s+|good[,.!]?\s+|yes[,.!]?\s+|then\s+)?(?:please\s+)?(?:do|propose|try|take|go\s+(?:with|for)|let'?s\s+do|i'?ll\s+take)\s+(?:the\s+)?(?:(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)(?:\s+(?:one|suggestion|step))?|(?:suggestion|step|number|option|no\.?|#)\s*(\d{1,2}))\b[\s.!?]*(?:please)?[\s.!?]*$/;

/** The insight call of the conversation's latest turn, if that turn answered one. */
function lastInsight(history: readonly PastTurn[]): { operation: string; input: Record<string, unknown> } | undefined {
  const call = history.at(-1)?.calls.findLast((entry) => SUGGESTING.has(entry.operation) && entry.outcome === 'read');
  return call ? { operation: call.operation, input: call.input } : undefined;
}

/** Which suggestion (1-based; 0 for "the last one") the text picks, if it picks one. */
function picked(lower: string): number | undefined {
  const match = PICK.exec(lower.trim());
  if (!match) return undefined;
  if (match[1] === 'last') return 0;
  if (match[1]) return ORDINALS[match[1]];
  return Number(match[2]);
}

async function propose(
  turn: Turn,
  insight: { operation: string; input: Record<string, unknown> },
  index: number,
): Promise<PlannerReply> {
  const answer = await turn.read<{ suggestions?: Suggestion[] }>(insight.operation, insight.input);
  if (!answer) return turn.reply('');
  const suggestions = answer.suggestions ?? [];
  const suggestion = index === 0 ? suggestions.at(-1) : suggestions[index - 1];
  if (!suggestion)
    return turn.ask(
      suggestions.length === 0
        ? 'That answer had no suggested next steps.'
        : `That answer had ${suggestions.length} suggested next step${suggestions.length === 1 ? '' : 's'}; say "do suggestion 1"${suggestions.length > 1 ? ` to "do suggestion ${suggestions.length}"` : ''}.`,
    );
  if (!isSuggestedOperation(suggestion.operation)) return turn.ask('That suggestion cannot be proposed.');
  const context = turn.writeContext();
  const reason = typeof suggestion.input.reason === 'string' ? suggestion.input.reason : context.reason;
  const call = await turn.call(suggestion.operation, { ...suggestion.input, reason, case_id: context.case_id });
  return turn.reply(
    `Proposed the suggestion "${suggestion.text}". Nothing has changed: it waits for confirmation (and an approval where the rules ask for one).`,
    [call],
  );
}

/** "Do the first one" / "do suggestion 2" right after an insight answer with suggestions. */
export const suggestionFollowUp: Form & { matches(turn: Turn): boolean } = {
  name: 'suggested next step',
  examples: ['do the first one', 'do suggestion 2'],
  intents: [],
  matches: (turn) => picked(turn.lower) !== undefined && lastInsight(turn.history) !== undefined,
  async run(turn) {
    const insight = lastInsight(turn.history);
    const index = picked(turn.lower);
    if (!insight || index === undefined) return turn.ask('Which suggestion? Say "do suggestion 1".');
    return propose(turn, insight, index);
  },
};
