/**
 * Which tools the LLM planner sends the model for one request (the AI SDK's `activeTools`). Every operation stays
 * a tool the SDK knows; only these are described to the model, so a turn costs a fraction of the prompt tokens.
 * The intent classifier (parse/intent-classifier.ts) ranks the request's operations; the most probable ones, until
 * their probabilities add up to {@link CUMULATIVE} (at most {@link MAX_INTENTS}), are sent with the reads every
 * request may need ({@link ALWAYS_ACTIVE}) and the reads each of them needs to find its target
 * ({@link TARGET_READS}), then filtered to what the member's role may attempt. A follow-up ("yes", "the second
 * one") keeps the previous turn's tools, with the read that shows one item of a list ({@link DETAIL_READS}). What is sent never decides anything: every call still goes through the
 * pipeline and the gate, and a call of a tool that was not sent is handled like any other call the model makes.
 */
import { registry } from '../../operations/registry.ts';
import type { PastTurn } from '../agent-types.ts';
import { type RankedIntent, rankIntents } from '../parse/intent-classifier.ts';
import { UNSUPPORTED } from '../parse/intent-corpus.ts';
import { instructionOf } from '../parse/parse-request.ts';

/** Intents are taken, best first, until their probabilities add up to this. */
export const CUMULATIVE = 0.95;
/** At most this many intents per piece of the request. */
export const MAX_INTENTS = 6;
/** An intent less probable than this is not worth its tokens, whatever the running total. */
export const MIN_PROBABILITY = 0.02;
/** "unsupported" at least this probable: the request is not billing; the model gets only the small read set. */
export const UNSUPPORTED_SURE = 0.6;
/** A clause of a longer request adds its own best intent when the classifier is at least this sure of it. */
export const CLAUSE_SURE = 0.6;

/**
 * Reads every request gets: resolving the names the person used (resolve_mentions, get_customer) and today's
 * billing date for relative dates. They are also the small read set a request that is not billing gets, so the
 * model can still answer or decline.
 */
export const ALWAYS_ACTIVE = ['resolve_mentions', 'get_customer', 'get_billing_date'] as const;

/**
 * The reads an operation needs to find its target, beyond {@link ALWAYS_ACTIVE}: a refund's charge or invoice, a
 * plan change's subscription and price, a reply's ticket. An operation missing here needs none (its target is a
 * customer, or it creates something new). Every name is a registry operation (checked by the tests).
 */
export const TARGET_READS: Readonly<Record<string, readonly string[]>> = {
  // Money: the charge or invoice paid.
  refund_charge: ['list_invoices', 'get_invoice', 'payment_history'],
  create_credit_note: ['list_invoices', 'get_invoice'],
  // Invoices: which invoice.
  retry_invoice: ['list_invoices', 'get_invoice'],
  void_invoice: ['list_invoices', 'get_invoice'],
  record_payment: ['list_invoices', 'get_invoice'],
  // Subscriptions: which subscription, which price.
  change_plan: ['list_subscriptions', 'list_plans'],
  cancel_subscription: ['list_subscriptions'],
  apply_coupon: ['list_subscriptions'],
  remove_coupon: ['list_subscriptions'],
  create_subscription: ['list_plans'],
  record_usage: ['list_subscriptions', 'usage_against_limits'],
  // The catalogue: what exists already.
  create_plan: ['list_plans'],
  create_product: ['list_plans'],
  create_price: ['list_plans'],
  create_usage_price: ['list_plans'],
  create_customer: ['search_customers'],
  // Support: which ticket.
  create_ticket: ['list_tickets'],
  draft_reply: ['list_tickets', 'get_ticket'],
  send_reply: ['list_tickets', 'get_ticket'],
  get_ticket: ['list_tickets'],
  // Bulk: who is affected.
  bulk_apply_coupon: ['search_customers'],
  bulk_retry_invoices: ['failed_payments', 'list_invoices'],
  bulk_migrate_plan: ['list_plans', 'list_subscriptions'],
};

/**
 * On a follow-up ("tell me about the second one"), the read that shows one item of a list the previous turn had
 * the tools for.
 */
export const DETAIL_READS: Readonly<Record<string, string>> = {
  list_invoices: 'get_invoice',
  overdue_summary: 'get_invoice',
  upcoming_invoices: 'get_invoice',
  failed_payments: 'get_invoice',
  list_tickets: 'get_ticket',
};

/** A turn that points back at the previous one: an answer, an ordinal, a pronoun for what was listed. */
const FOLLOW_UP =
  /^\s*(?:yes|y|yep|yeah|sure|ok(?:ay)?|no|nope|go\s+ahead|do\s+it|please\s+do|confirm(?:ed)?)\b|\b(?:first|second|third|fourth|fifth|last|other|same|these|those|them|both|that\s+one|this\s+one|ones?)\b/i;

/** Where a second instruction may start: a sentence end, ";", "and", "then", "also". */
const JOINS = /\s*(?:[;?!]|\.\s+|,?\s+(?:and\s+then|and\s+also|and|then|also|plus)\s+)\s*/i;

/** Why the tools are what they are (for tests, the bench and debugging). */
export interface ActiveToolChoice {
  /** Tool names to send, in registry order. */
  tools: string[];
  /** The intents ranked for the whole request. */
  intents: RankedIntent[];
  /** True when the previous turn's tools were kept. */
  followUp: boolean;
  /** True when the classifier was sure the request is not billing. */
  unsupported: boolean;
}

/** The intents worth tools in one ranking: best first while the total is short of {@link CUMULATIVE}. */
function takeIntents(ranked: readonly RankedIntent[]): string[] {
  const taken: string[] = [];
  let total = 0;
  for (const [index, item] of ranked.entries()) {
    if (total >= CUMULATIVE || index >= MAX_INTENTS) break;
    if (index > 0 && item.probability < MIN_PROBABILITY) break;
    total += item.probability;
    if (item.intent !== UNSUPPORTED) taken.push(item.intent);
  }
  return taken;
}

/** The request's own operations (without the always-active reads), and what the classifier said. */
function requestIntents(text: string): { operations: Set<string>; intents: RankedIntent[]; unsupported: boolean } {
  // Quoted or pasted text (a customer's ticket, "they wrote: …") is evidence: it never pulls a tool in.
  const instruction = instructionOf(text).replace(/\s+/g, ' ').trim();
  const intents = rankIntents(instruction || text, MAX_INTENTS);
  const [top] = intents;
  const operations = new Set<string>();
  const unsupported = top?.intent === UNSUPPORTED && top.probability >= UNSUPPORTED_SURE;
  if (!unsupported) for (const name of takeIntents(intents)) operations.add(name);
  // "Make me owner and refund Acme's last payment": each clause the classifier is sure of adds its operation.
  const pieces = instruction.split(JOINS).filter((piece) => piece.trim().split(/\s+/).length >= 2);
  if (pieces.length > 1)
    for (const piece of pieces) {
      const [best] = rankIntents(piece, 1);
      if (best && best.intent !== UNSUPPORTED && best.probability >= CLAUSE_SURE) operations.add(best.intent);
    }
  return { operations, intents, unsupported: unsupported && operations.size === 0 };
}

/** True when `text` reads as a follow-up of the previous turn rather than a request of its own. */
export function isFollowUp(text: string, intents: readonly RankedIntent[]): boolean {
  const [top] = intents;
  return FOLLOW_UP.test(text) || !top || top.intent === UNSUPPORTED || top.probability < 0.5;
}

/** Names in registry order, filtered to what may be attempted. */
function ordered(names: ReadonlySet<string>, reachable: (operation: string) => boolean): string[] {
  return [...registry.keys()].filter((name) => names.has(name) && reachable(name));
}

/**
 * The tools to send for `text` given the conversation so far; `reachable` says which operations the member's
 * role may attempt (unreachable ones are never sent). Deterministic: a turn's tools can be recomputed from
 * its request and the turns before it, which is how a follow-up finds the previous turn's tools.
 */
export function chooseActiveTools(
  text: string,
  history: readonly PastTurn[],
  reachable: (operation: string) => boolean = () => true,
): ActiveToolChoice {
  const { operations, intents, unsupported } = requestIntents(text);
  const names = new Set<string>(ALWAYS_ACTIVE);
  for (const name of operations) {
    if (!registry.has(name)) continue;
    names.add(name);
    for (const read of TARGET_READS[name] ?? []) names.add(read);
  }
  const previous = history.at(-1);
  const followUp = previous !== undefined && isFollowUp(text, intents);
  if (followUp && previous) {
    const kept = new Set(chooseActiveTools(previous.request, history.slice(0, -1), reachable).tools);
    // And whatever the previous turn called (a read it listed the items with, the write it proposed).
    for (const call of previous.calls) if (registry.has(call.operation)) kept.add(call.operation);
    for (const name of kept) {
      names.add(name);
      const detail = DETAIL_READS[name];
      if (detail) names.add(detail);
    }
  }
  return { tools: ordered(names, reachable), intents, followUp, unsupported };
}
