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
    .filter((word) => word.length > 1 && !['the', 'our', 'new', 'current', 'all', 'on'].includes(word));
  if (words.length === 0) return [];
  const wantsLegacy = words.includes('legacy') || words.includes('old');
  const scored = plans
    .map((plan) => {
      const name = plan.product.name.toLowerCase();
      const hits = words.filter((word) => name.includes(word)).length;
      const legacy = /legacy|old|deprecated/.test(name);
      return { plan, score: hits + (legacy === wantsLegacy ? 0.5 : -1) };
    })
    .filter((entry) => entry.score >= 1)
    .sort((a, b) => b.score - a.score);
  const best = scored[0]?.score;
  return scored.filter((entry) => entry.score === best).map((entry) => entry.plan);
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
