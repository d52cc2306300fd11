/** A request form the built-in planner understands, and the look-ups forms share. */
import { formatMoney, money } from '../../domain/money.ts';
import type { PlannerReply } from '../agent-types.ts';

import type { Turn } from './turn.ts';

/** One documented form of request. */
export interface Form {
  /** A short name ("refund", "mrr movements"). */
  readonly name: string;
  /** Requests of this form, as shown in suggestions and docs. */
  readonly examples: readonly string[];
  /** The intents (operation names) this form carries out; the intent classifier picks the form by them. */
  readonly intents: readonly string[];
  /** Plans and runs the calls, and says what came of them. */
  run(turn: Turn): Promise<PlannerReply>;
}

/** A plan's product and prices, as `list_plans` returns them. */
export interface PlanEntry {
  product: { id: string; name: string; description?: string | null };
  prices: {
    id: string;
    nickname: string | null;
    currency: string;
    interval: string | null;
    unitAmount: number | null;
    active: boolean;
  }[];
}

/** A customer as `get_customer` returns it. */
export interface CustomerAnswer {
  customer: { id: string; name: string; email: string; currency: string };
  subscriptions: { id: string; status: string; items: { priceId: string; quantity: number }[]; currency: string }[];
  invoices: { id: string; number: string; status: string; total: number; currency: string }[];
}

/** The input that names a customer for `get_customer`. */
export function customerLookup(reference: string): Record<string, string> {
  if (reference.startsWith('cus_')) return { customer_id: reference };
  if (reference.includes('@')) return { email: reference };
  return { name: reference };
}

/** Live subscriptions of a customer answer. */
export function liveSubscriptions(answer: CustomerAnswer): CustomerAnswer['subscriptions'] {
  return answer.subscriptions.filter((subscription) =>
    ['active', 'trialing', 'past_due'].includes(subscription.status),
  );
}

/** The plans whose product name best matches the words of `phrase` ("legacy Starter" → "Starter (legacy)"). */
export function matchPlans(plans: readonly PlanEntry[], phrase: string): PlanEntry[] {
  const words = phrase
    .toLowerCase()
    .replace(/\bplans?\b/g, '')
    .split(/[^a-z0-9]+/)
    .filter(
      (word) =>
        word.length > 1 &&
        !['the', 'our', 'new', 'current', 'all', 'on', 'in', 'to', 'of', 'but', 'and', 'at', 'is'].includes(word),
    );
  if (words.length === 0) return [];
  const wantsLegacy = words.includes('legacy') || words.includes('old');
  const scored = plans
    .map((plan) => {
      // Words match at the start of a word of the name: "in" is not in "Business".
      const nameWords = plan.product.name.toLowerCase().split(/[^a-z0-9]+/);
      const name = plan.product.name.toLowerCase();
      const hits = words.filter((word) => nameWords.some((part) => part.startsWith(word))).length;
      const legacy = /legacy|old|deprecated/.test(name);
      return { plan, score: hits + (legacy === wantsLegacy ? 0.5 : -1) };
    })
    .filter((entry) => entry.score >= 1)
    .sort((a, b) => b.score - a.score);
  const best = scored[0]?.score;
  return scored.filter((entry) => entry.score === best).map((entry) => entry.plan);
}

/**
 * The billing interval a plan change asks for ("go annual", "paying yearly", "annual instead of monthly", "moving
 * to monthly"); undefined when none is said. An interval after "from" or "instead of" is the current one.
 */
export function intervalAsked(text: string): 'month' | 'year' | undefined {
  const lower = text.toLowerCase();
  const said = [
    ...lower.matchAll(/\b(annual(?:ly)?|yearly|per\s+year|a\s+year|monthly|per\s+month|month[-\s]to[-\s]month)\b/g),
  ].map((match) => ({
    interval: /month/.test(match[1] ?? '') ? ('month' as const) : ('year' as const),
    before: lower.slice(Math.max(0, (match.index ?? 0) - 24), match.index ?? 0),
  }));
  const target = said.filter((item) =>
    /\b(?:to|onto|into|go|going|paying|pay|billed|be)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?$/.test(item.before),
  );
  if (target.length > 0) return target[target.length - 1]?.interval;
  const rest = said.filter(
    (item) =>
      !/\b(?:from|instead\s+of|rather\s+than|than|not|currently|now\s+on)\s+(?:an?\s+|the\s+|their\s+)?(?:\w+\s+)?$/.test(
        item.before,
      ),
  );
  const kinds = new Set(rest.map((item) => item.interval));
  return kinds.size === 1 ? rest[0]?.interval : undefined;
}

/** A subscription as `get_customer` returns it, with when it started. */
type LiveSubscription = CustomerAnswer['subscriptions'][number] & { createdAt?: string | Date };

/**
 * Which of a customer's live subscriptions the clause means: the only one; else the one on the plan it names
 * ("only the Starter one", "their Basic subscription") or the newer/older one it names. Undefined when the words
 * do not single one out (the form then asks which).
 */
export async function pickSubscription(
  turn: Turn,
  answer: CustomerAnswer,
): Promise<CustomerAnswer['subscriptions'][number] | undefined> {
  const live = liveSubscriptions(answer) as LiveSubscription[];
  if (live.length <= 1) return live[0];
  let pool = live;
  const named = turn.mentions.plans.filter((mention) => turn.text.includes(mention.text));
  if (named.length > 0) {
    const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
    // The plan the clause keeps or moves to ("keep only the Basic", "instead") is not the one acted on.
    const acted = named.filter(
      (mention) =>
        !/\b(?:keep|keeping|leave|and\s+keep|to|onto|instead\s+of\s+keeping)\s+(?:only\s+)?(?:the\s+|their\s+)?$/.test(
          turn.text.slice(0, turn.text.indexOf(mention.text)).toLowerCase(),
        ),
    );
    const productOf = new Map(plans.flatMap((plan) => plan.prices.map((price) => [price.id, plan.product.id])));
    const ids = new Set(acted.flatMap((mention) => mention.candidates.map((candidate) => candidate.id)));
    const onPlan = pool.filter((subscription) =>
      subscription.items.some((item) => ids.has(productOf.get(item.priceId) ?? '')),
    );
    if (onPlan.length > 0) pool = onPlan;
  }
  if (pool.length > 1 && pool.every((subscription) => subscription.createdAt)) {
    const byAge = [...pool].sort((a, b) => new Date(a.createdAt ?? 0).getTime() - new Date(b.createdAt ?? 0).getTime());
    if (/\b(?:newer|newest|latest|more\s+recent|most\s+recent|second)\b/.test(turn.lower))
      return byAge[byAge.length - 1];
    if (/\b(?:older|oldest|original|first)\b/.test(turn.lower)) return byAge[0];
  }
  return pool.length === 1 ? pool[0] : undefined;
}

/** "all", "every", "everyone", "each": a request about a segment, not one customer. */
export const ALL = /\b(?:all|every(?:one|body)?|each)\b/;

/** An invoice as `get_invoice` returns it. */
export interface InvoiceAnswer {
  invoice: { id: string; number: string; total: number; currency: string; status: string };
  customer: { id: string; name: string } | null;
}

/** The customer the request names, looked up; or a reply saying what is missing. */
export async function findCustomer(turn: Turn, example: string): Promise<CustomerAnswer | PlannerReply> {
  const reference = turn.customerRef();
  if (!reference) return turn.ask(`Which customer? Name them, e.g. "${example}".`);
  const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
  return found ?? turn.reply('');
}

/** True when a helper answered with a reply (something was missing) instead of a value. */
export function isReply(value: unknown): value is PlannerReply {
  return typeof value === 'object' && value !== null && 'text' in value && 'referents' in value;
}

/** Money for a sentence, from integer minor units. */
export function showMoney(amount: number, currency: string): string {
  return formatMoney(money(amount, currency));
}
