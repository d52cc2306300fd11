/**
 * Pricing what-ifs in chat: "what if Starter cost $12?", "what if the annual discount on Pro were 25%?", "what if
 * we added a usage-based component to the Pro plan?" run `simulate_pricing` (a read: nothing changes). "Make it
 * so" right after a simulation proposes the catalogue write the simulation names (create_price or
 * create_usage_price) through the pipeline, where it waits for confirmation like any other change.
 */
import type { PastTurn, PlannerReply } from '../agent-types.ts';
import { amountSpans, percentOf } from './entities.ts';
import type { Form, PlanEntry } from './form.ts';
import type { Turn } from './turn.ts';

/** A usage component with no price named: 50¢ per 1,000 API calls, the demo API add-on's first tier. */
const DEFAULT_METER = 'api_calls_thousands';
const DEFAULT_UNIT_AMOUNT = 50;

const WHAT_IF =
  /^(?:so\s+|and\s+|ok(?:ay)?,?\s+)?what\s+if\b|\bwhat-if\b|\bhypothetical|\bwhat\s+would\s+happen\s+if\b|\bsimulat(?:e|ion)\b/;
/** Words that make a what-if about pricing (not "what if Acme cancels?", which the classifier places). */
const PRICING =
  /pric|\bcosts?\b|\bcharg|discount|\busage|meter|annual|yearly|\bplan\b|\bper\s|[$€£¥₹%]|\b(?:usd|eur|gbp)\b/;
const MAKE_IT_SO =
  /^(?:ok(?:ay)?[,.!]?\s+|great[,.!]?\s+|good[,.!]?\s+)?(?:make\s+it\s+so|do\s+it|go\s+ahead|apply\s+(?:it|that|this|the\s+change)|make\s+(?:that|this|the)\s+change|let'?s\s+do\s+(?:it|that))\b/;

/** The input of the simulation in the conversation's latest turn, if that turn ran one. */
function lastSimulation(history: readonly PastTurn[]): Record<string, unknown> | undefined {
  const last = history.at(-1);
  const call = last?.calls.findLast((entry) => entry.operation === 'simulate_pricing' && entry.outcome === 'read');
  return call?.input;
}

/** The plan whose name (without a parenthetical such as "(legacy)") the text names; the longest name wins. */
function planNamed(plans: readonly PlanEntry[], lower: string): PlanEntry | undefined {
  const named = plans
    .map((plan) => ({
      plan,
      core: plan.product.name
        .toLowerCase()
        .replace(/\s*\(.*?\)\s*/g, ' ')
        .trim(),
    }))
    .filter(
      ({ core }) => core.length > 1 && new RegExp(`\\b${core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(lower),
    )
    .sort((a, b) => b.core.length - a.core.length);
  return named[0]?.plan;
}

/** A metric named in the text ("per 1,000 API calls" → api_calls_thousands, "per seat" → seats). */
function meterOf(lower: string): string {
  if (/\bseats?\b/.test(lower) && !/\bapi\b/.test(lower)) return 'seats';
  if (/\bprojects?\b/.test(lower) && !/\bapi\b/.test(lower)) return 'projects';
  return DEFAULT_METER;
}

/** The change a what-if names, or why it could not tell. */
function changeOf(turn: Turn): { change: Record<string, unknown>; assumed: string } | { missing: string } {
  const lower = turn.lower;
  const percent = percentOf(turn.text);
  const [amount] = amountSpans(turn.text);
  if (/\b(?:annual|yearly|annually)\b/.test(lower) && percent !== undefined && percent <= 100)
    return { change: { kind: 'annual_discount', percent }, assumed: '' };
  if (/\busage|\bmeter(?:ed)?\b|\bper\s+(?:1,?000|thousand|api|call|request)|pay[-\s]as[-\s]you[-\s]go/.test(lower)) {
    const free = /\b(?:after|over|beyond|above)\s+(?:the\s+first\s+)?([\d,]+)\b/.exec(lower)?.[1];
    const meter = meterOf(lower);
    const change = {
      kind: 'usage_component',
      meter,
      unit_amount: amount?.amount ?? DEFAULT_UNIT_AMOUNT,
      ...(amount ? { currency: amount.currency } : {}),
      ...(free ? { free_units: Number(free.replaceAll(',', '')) } : {}),
    };
    const assumed = amount
      ? ''
      : `No price was named, so this assumes 50¢ per ${meter === DEFAULT_METER ? '1,000 API calls' : meter} over what the plan includes; say e.g. "what if Pro charged $1 per 1,000 API calls over 50" to try another.`;
    return { change, assumed };
  }
  if (amount) {
    const interval = /\b(?:a|per|\/)\s*(?:year|yr)\b|\b(?:annual(?:ly)?|yearly)\b/.test(lower) ? 'year' : 'month';
    return { change: { kind: 'price', amount: amount.amount, currency: amount.currency, interval }, assumed: '' };
  }
  return { missing: 'a new price ("$12"), a usage component ("usage-based") or an annual discount ("25%")' };
}

const EXAMPLES = [
  'What if we added a usage-based component to the Pro plan?',
  'What if Starter cost $12?',
  'What if the annual discount on Pro were 25%?',
];

async function simulate(turn: Turn): Promise<PlannerReply> {
  const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
  const plan = planNamed(plans, turn.lower);
  if (!plan)
    return turn.ask(
      `Which plan? Name one of ${plans.map((entry) => entry.product.name).join(', ') || 'your plans'}, e.g. "${EXAMPLES[1]}".`,
    );
  const found = changeOf(turn);
  if ('missing' in found) return turn.ask(`What would change on ${plan.product.name}? Name ${found.missing}.`);
  const months = /\b(?:last|past)\s+(\d{1,2})\s+months?\b/.exec(turn.lower)?.[1];
  const call = await turn.call('simulate_pricing', {
    plan: plan.product.name,
    change: found.change,
    ...(months && Number(months) >= 1 && Number(months) <= 24 ? { months: Number(months) } : {}),
  });
  return turn.reply(
    '',
    turn.calls.filter((entry) => entry === call),
    call.outcome === 'read' ? found.assumed : '',
  );
}

async function makeItSo(turn: Turn, input: Record<string, unknown>): Promise<PlannerReply> {
  const answer = await turn.read<{ next: { operation: string; input: Record<string, unknown> } | null }>(
    'simulate_pricing',
    input,
  );
  if (!answer) return turn.reply('');
  if (!answer.next)
    return turn.ask(
      'There is no single catalogue change for that simulation (the plan has no monthly price to take an annual discount from). Add the price with `leash` create_price, or in chat: "add a price to <plan>: <amount> per year".',
    );
  await turn.call(answer.next.operation, { ...answer.next.input, ...turn.writeContext() });
  return turn.reply(
    'Proposed the catalogue change from the simulation. It waits for confirmation; once added, new sign-ups get the new price and existing subscribers stay on theirs until moved (bulk_migrate_plan).',
  );
}

/** The what-if form: simulations, and "make it so" right after one. */
export const whatIf: Form & { matches(turn: Turn): boolean } = {
  name: 'what if (pricing)',
  examples: EXAMPLES,
  intents: ['simulate_pricing'],
  matches: (turn) =>
    (WHAT_IF.test(turn.lower) && PRICING.test(turn.lower)) ||
    (MAKE_IT_SO.test(turn.lower) && !!lastSimulation(turn.history)),
  async run(turn) {
    const previous = lastSimulation(turn.history);
    if (previous && MAKE_IT_SO.test(turn.lower)) return makeItSo(turn, previous);
    return simulate(turn);
  },
};
