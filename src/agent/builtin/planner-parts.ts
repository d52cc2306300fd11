/**
 * What the built-in planner's parts share: every form and the one that carries out an intent, the closest
 * documented examples, the confidence below which an intent is not trusted, per-clause tools, and the replies for
 * requests it cannot or will not fill in.
 */
import { findOperation } from '../../operations/registry.ts';
import type { AgentCall, AgentTools, PlannerReply } from '../agent-types.ts';
import type { Clause } from '../parse/parse-request.ts';
import type { Form } from './form.ts';
import { ACT_FORMS } from './forms-act.ts';
import { ASK_FORMS } from './forms-ask.ts';
import { followUp } from './forms-follow-up.ts';
import { MODE_FORMS } from './forms-modes.ts';
import { RECORD_FORMS } from './forms-records.ts';
import { START_FORMS } from './forms-start.ts';
import { WEBHOOK_FORMS } from './forms-webhooks.ts';

/** Every form the classifier can choose, plus follow-ups (which answer the previous turn, not an intent). */
export const FORMS: readonly Form[] = [
  followUp,
  ...ACT_FORMS,
  ...RECORD_FORMS,
  ...START_FORMS,
  ...MODE_FORMS,
  ...WEBHOOK_FORMS,
  ...ASK_FORMS,
];

/** Below this probability the top intent is not trusted: the planner says what it can do instead. */
export const MIN_INTENT_PROBABILITY = 0.25;

const STOP_WORDS = new Set(['the', 'a', 'an', 'to', 'for', 'of', 'me', 'all', 'and', 'in', 'on', 'my', 'our', 'is']);
const EXTRA_STOP = new Set(['what', 'show', 'customer']);

function words(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9$#]+/)
      .filter((word) => word.length > 1 && !STOP_WORDS.has(word) && !EXTRA_STOP.has(word)),
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

/** The form that carries out `intent`. */
export function formFor(intent: string): Form | undefined {
  return FORMS.find((form) => form.intents.includes(intent));
}

/** Tools whose `calls` are only the calls made through them, so each clause's reply describes its own calls. */
export function clauseTools(tools: AgentTools): AgentTools {
  const calls: AgentCall[] = [];
  return {
    calls,
    async call(operation, input) {
      const call = await tools.call(operation, input);
      calls.push(call);
      return call;
    },
    noteUntrusted: (source) => tools.noteUntrusted(source),
    get untrusted() {
      return tools.untrusted;
    },
  };
}

/** True when an operation writes. */
export function writesIntent(intent: string): boolean {
  const operation = findOperation(intent);
  return operation !== undefined && operation.kind !== 'data.read' && operation.kind !== 'data.export';
}

/** True when a clause's top intent writes. */
export function writes(clause: Clause): boolean {
  return writesIntent(clause.intents[0]?.intent ?? '');
}

/** A request the classifier could not place: one sentence and the closest things Leash can do. */
export function unclear(text: string): PlannerReply {
  const suggestions = closestExamples(text)
    .map((example) => `"${example}"`)
    .join(', ');
  return {
    text: `I don't understand that request well enough to act on it. Closest things I can do: ${suggestions}.`,
    referents: [],
    chart: null,
  };
}

/** A request that is not about billing. */
export function notBilling(): PlannerReply {
  return {
    text: `I don't understand that as a billing request, so there is nothing for me to look up or change. I answer questions about customers, invoices, subscriptions, payments and revenue, and prepare refunds, credits, plan changes and replies, e.g. "Why did MRR drop last week?" or "Refund INV-000123".`,
    referents: [],
    chart: null,
  };
}

/** An operation the built-in planner recognises but does not fill in. */
export function notHere(intent: string): PlannerReply {
  const operation = findOperation(intent);
  return {
    text: `That sounds like ${intent} (${operation?.description ?? 'an operation'}). The built-in planner does not fill that one in from a sentence: use a model planner (--planner llm), the dashboard, or the ${intent} tool over MCP. Nothing was proposed.`,
    referents: [],
    chart: null,
  };
}
