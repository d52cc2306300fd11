/**
 * The built-in planner: offline, no model. A request is matched against a documented list of forms (follow-ups
 * first, then changes, then questions); the first form that applies resolves its entities through read
 * operations and proposes at most the writes it names. A request that matches nothing gets one sentence and
 * the closest forms; it never becomes a guessed write.
 */
import type { Planner, PlannerReply } from '../agent-types.ts';
import type { Form } from './form.ts';
import { ACT_FORMS } from './forms-act.ts';
import { ASK_FORMS } from './forms-ask.ts';
import { followUp } from './forms-follow-up.ts';
import { Turn } from './turn.ts';

/** Every form, in the order they are tried. */
export const FORMS: readonly Form[] = [followUp, ...ACT_FORMS, ...ASK_FORMS];

const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'to',
  'for',
  'of',
  'me',
  'all',
  'and',
  'in',
  'on',
  'my',
  'our',
  'is',
  'what',
  'show',
  'customer',
]);

function words(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9$#]+/)
      .filter((word) => word.length > 1 && !STOP_WORDS.has(word)),
  );
}

/** The documented examples closest to `text` by shared words. */
export function closestExamples(text: string, count = 3): string[] {
  const asked = words(text);
  return FORMS.flatMap((form) => form.examples)
    .map((example) => ({ example, score: [...words(example)].filter((word) => asked.has(word)).length }))
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .map((entry) => entry.example);
}

/** The built-in planner. */
export function builtinPlanner(): Planner {
  return {
    name: 'builtin',
    async respond(request, tools): Promise<PlannerReply> {
      const turn = new Turn(request, tools);
      const form = FORMS.find((candidate) => candidate.matches(turn));
      if (!form) {
        const suggestions = closestExamples(request.text)
          .map((example) => `"${example}"`)
          .join(', ');
        return {
          text: `I don't understand that request well enough to act on it. Closest things I can do: ${suggestions}.`,
          referents: [],
          chart: null,
        };
      }
      return form.run(turn);
    },
  };
}
