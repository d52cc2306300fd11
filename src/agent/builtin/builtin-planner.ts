/**
 * The built-in planner: offline, no model, deterministic. A request is parsed the way task-oriented dialogue
 * systems parse one (src/agent/parse/): what it names is resolved against the org's own records
 * (`resolve_mentions`), quoted or pasted text is set aside as evidence, the instruction is split into clauses,
 * and a trained intent classifier picks each clause's operation. The form that carries out that operation
 * resolves the rest with read operations and proposes at most the writes it names. A name several customers
 * fit gets one short question naming them (answered by "the second one" or a name); a request that is not
 * billing, or that the classifier cannot place, gets one sentence and never a guessed write.
 */

import type { Mentions } from '../../operations/resolve-mentions.ts';
import type { AgentCall, Planner, PlannerReply } from '../agent-types.ts';
import { UNSUPPORTED } from '../parse/intent-corpus.ts';
import { type Clause, instructionOf, parseRequest } from '../parse/parse-request.ts';
import { askWhich, narrowed, pendingAnswer } from './clarify.ts';
import { followUp } from './forms-follow-up.ts';
import { suggestionFollowUp } from './forms-suggestions.ts';
import { whatIf } from './forms-what-if.ts';
import {
  clauseTools,
  formFor,
  MIN_INTENT_PROBABILITY,
  notBilling,
  notHere,
  unclear,
  writes,
  writesIntent,
} from './planner-parts.ts';
import { fromQuote } from './quoted-request.ts';
import { AmbiguousCustomer, NO_MENTIONS, Turn } from './turn.ts';

export { closestExamples, FORMS, MIN_INTENT_PROBABILITY } from './planner-parts.ts';

/** Joins the replies of several clauses into one. */
function joinReplies(replies: PlannerReply[]): PlannerReply {
  if (replies.length === 1 && replies[0]) return replies[0];
  return {
    text: replies
      .map((reply) => reply.text)
      .filter((text) => text.trim().length > 0)
      .join('\n\n'),
    referents: replies.flatMap((reply) => reply.referents),
    chart: replies.find((reply) => reply.chart)?.chart ?? null,
  };
}

/** Whether a condition the reads can settle held; undefined when the planner cannot tell. */
function conditionHeld(condition: string, calls: readonly AgentCall[]): boolean | undefined {
  if (/\b(?:double[-\s]?charged?|charged\s+twice|duplicate\s+charges?)\b/i.test(condition)) {
    const found = calls.find((call) => call.operation === 'find_double_charges')?.result as
      | { doubleCharges?: unknown[] }
      | undefined;
    return found ? (found.doubleCharges?.length ?? 0) > 0 : undefined;
  }
  if (
    /\bopen\b|\bunpaid\b|\boutstanding\b|\b(?:not|isn't|hasn't|wasn't|aren't)\s+(?:yet\s+)?(?:been\s+)?paid\b|\bstill\s+owes?\b/i.test(
      condition,
    )
  ) {
    const one = calls.find((call) => call.operation === 'get_invoice')?.result as
      | { invoice?: { status?: string } }
      | undefined;
    if (one?.invoice) return one.invoice.status === 'open';
    const list = calls.find((call) => call.operation === 'list_invoices')?.result as
      | { invoices?: { status?: string }[] }
      | undefined;
    return list?.invoices ? list.invoices.some((invoice) => invoice.status === 'open') : undefined;
  }
  if (/\b(?:overdue|past\s+due|unpaid)\b/i.test(condition)) {
    const found = calls.find((call) => call.operation === 'list_invoices')?.result as { count?: number } | undefined;
    return found ? (found.count ?? 0) > 0 : undefined;
  }
  return undefined;
}

/**
 * The read a leading condition runs: an invoice's status ("if INV-… is still open") or a customer's open invoices
 * ("if Nova's invoice is still unpaid"); the classifier's read otherwise; nothing when that would write.
 */
function conditionCheck(clause: Clause, mentions: Mentions, intent: string | undefined): string | undefined {
  if (
    /\b(?:open|unpaid|outstanding|still\s+owes?|(?:not|isn't|hasn't|wasn't|aren't)\s+(?:yet\s+)?(?:been\s+)?paid)\b/i.test(
      clause.text,
    )
  ) {
    const invoice = mentions.invoices.length > 0;
    return invoice ? 'get_invoice' : 'list_invoices';
  }
  if (
    !intent ||
    intent === UNSUPPORTED ||
    writesIntent(intent) ||
    (clause.intents[0]?.probability ?? 0) < MIN_INTENT_PROBABILITY
  )
    return undefined;
  return intent;
}

/** The single open invoice a condition's read found (`list_invoices` of open ones, or `get_invoice`), if one. */
function openInvoiceChecked(calls: readonly AgentCall[]): Mentions['invoices'][number] | undefined {
  const listed = calls.find((call) => call.operation === 'list_invoices' && call.input.status === 'open')?.result as
    | { invoices?: { id: string; number: string; customerId: string; status: string }[] }
    | undefined;
  const [only, other] = listed?.invoices ?? [];
  if (!only || other) return undefined;
  return {
    text: only.number,
    start: 0,
    end: 0,
    id: only.id,
    number: only.number,
    customer_id: only.customerId,
    status: only.status,
  };
}

/** Writes that act on one customer or one invoice at a time: "cancel A and B" runs them once per target. */
const ONE_TARGET = new Set([
  'refund_charge',
  'credit_customer',
  'cancel_subscription',
  'apply_coupon',
  'remove_coupon',
  'retry_invoice',
  'void_invoice',
  'create_credit_note',
  'change_plan',
]);

const within = (span: { start: number; end: number }, clause: Clause) =>
  span.start >= clause.start && span.end <= clause.end;

/**
 * The targets a clause acts on: once per resolved customer (or invoice) when a one-target write names several;
 * the whole request's words as scope when the clause only says "it", "them" or "their".
 */
function targetsOf(
  clause: Clause,
  intent: string,
  mentions: Mentions,
  instruction: string,
): { mentions: Mentions; scope: string }[] {
  const customers = mentions.customers.filter((mention) => within(mention, clause));
  const invoices = mentions.invoices.filter((mention) => within(mention, clause));
  if (ONE_TARGET.has(intent)) {
    if (invoices.length > 1)
      return invoices.map((invoice) => ({ mentions: { ...mentions, invoices: [invoice] }, scope: clause.text }));
    const resolved = customers.filter((mention) => mention.candidates.length === 1);
    if (invoices.length === 0 && resolved.length > 1 && resolved.length === customers.length)
      return resolved.map((customer) => ({ mentions: { ...mentions, customers: [customer] }, scope: clause.text }));
  }
  // A one-target write with no target of its own ("…, the payment, try again") acts on the request's only target.
  const allInvoices = mentions.invoices.length;
  const allCustomers = mentions.customers.filter((mention) => mention.candidates.length === 1).length;
  if (
    ONE_TARGET.has(intent) &&
    customers.length === 0 &&
    invoices.length === 0 &&
    (allInvoices === 1 || (allInvoices === 0 && allCustomers === 1))
  )
    return [{ mentions, scope: instruction }];
  const pointsBack =
    /\b(?:it|them|they|their|its|theirs|that|this\s+one|that\s+one|instead|as\s+well|too|on\s+top|the\s+same)\b/i.test(
      clause.text,
    );
  if (customers.length === 0 && invoices.length === 0 && pointsBack) return [{ mentions, scope: instruction }];
  // "for massive dynamic: duplicate subs? any double charges?": a read without a target of its own is about the
  // one customer the request names.
  const only = mentions.customers.filter((mention) => mention.candidates.length === 1);
  const read = !writesIntent(intent);
  if (read && customers.length === 0 && invoices.length === 0 && only.length === 1)
    return [{ mentions, scope: instruction }];
  return [{ mentions, scope: clause.text }];
}

/** A discount in words: "20% off", "ten percent off", "a discount", "3 months free", "a free month". */
const DISCOUNT =
  /\b\d+(?:\.\d+)?\s*(?:%|percent|per\s*cent)(?:\s+(?:off|discount))?|\b(?:percent|per\s*cent)\s+off\b|\bdiscount(?:ed)?\b|\b(?:months?|weeks?)\s+(?:for\s+)?free\b|\bfree\s+(?:months?|weeks?)\b/i;

/**
 * Asking to pause billing: "pause", "freeze", "suspend", "put on hold", "skip a month". A request that also says
 * cancel ("cancel instead of pausing") is left to the cancellation form.
 */
function asksForPause(text: string): boolean {
  return (
    /\b(?:pause[sd]?|pausing|freez(?:e|es|ing)|froze|suspend(?:s|ed|ing)?|on\s+hold|skip(?:s|ped|ping)?\s+(?:a|one|the\s+next|next|their\s+next)\s+(?:month|invoice|billing\s+cycle|payment))\b/i.test(
      text,
    ) && !/\b(?:cancel|terminate|end)\b/i.test(text)
  );
}

/** What Leash can do instead of a pause; nothing is proposed. */
function noPause(text: string, name: string): PlannerReply {
  return {
    text: `Leash cannot pause or freeze a subscription, so nothing was proposed for "${text.trim()}". What it can do: cancel at the end of the period ("Cancel ${name} at the end of the period"), change the plan ("Downgrade ${name} to Starter at renewal"), or take money off with a coupon ("Apply coupon SUMMER20 to ${name}").`,
    referents: [],
    chart: null,
  };
}

/** The built-in planner. */
export function builtinPlanner(): Planner {
  return {
    name: 'builtin',
    // A parser, not a model: what reads return picks targets it was told about, never what to do. Pasted text is
    // the one way data shapes a write here, and quoted-request.ts marks it.
    dataCanSteer: false,
    async respond(request, tools): Promise<PlannerReply> {
      const plain = new Turn(request, tools);
      const pending = pendingAnswer(request);
      // A pricing what-if, or "make it so" right after one, before follow-ups (whose "it" would otherwise take it).
      if (!pending && whatIf.matches(plain)) return whatIf.run(plain);
      // "Do the first one" right after an insight answer proposes that suggested next step.
      if (!pending && suggestionFollowUp.matches(plain)) return suggestionFollowUp.run(plain);
      if (!pending && followUp.matches(plain)) return followUp.run(plain);
      const text = pending?.original ?? request.text;
      const found = await plain.read<Mentions>('resolve_mentions', { text: instructionOf(text).slice(0, 4000) });
      let mentions = found ?? NO_MENTIONS;
      if (pending) mentions = narrowed(mentions, pending.chosen, pending.mention);
      const parsed = parseRequest(text, mentions);
      if (parsed.evidence.length > 0 && !pending) {
        const quoted = await fromQuote(request, tools, plain, parsed, mentions);
        if (quoted) return quoted;
      }
      if (parsed.clauses.length === 0) return unclear(request.text);
      const replies: PlannerReply[] = [];
      const reads = parsed.clauses.filter((clause) => !clause.condition || !writes(clause));
      const conditional = parsed.clauses.filter((clause) => clause.condition && writes(clause));
      for (const clause of [...reads, ...conditional]) {
        let [top] = clause.intents;
        // "Pause Acme until January": Leash has no pause, and a pause is never proposed as a cancellation or a
        // plan change, whatever the classifier leans to: say so, propose nothing.
        if (asksForPause(clause.text)) {
          const [named] = mentions.customers.filter(
            (mention) => within(mention, clause) && mention.candidates.length === 1,
          );
          replies.push(noPause(clause.text, named?.candidates[0]?.name ?? 'the customer'));
          continue;
        }
        // "Give Acme 20% off for 3 months": a discount the classifier cannot place is a coupon (whose form asks
        // for the coupon when none is named).
        if ((!top || top.probability < 0.5 || top.intent === UNSUPPORTED) && DISCOUNT.test(clause.text))
          top = { intent: 'apply_coupon', probability: 1 };
        // A few words around a customer's name ("nimbus robotics invoice?", "what does wave owe us") that the
        // classifier cannot place: look the customer up (which asks which one when the name fits several).
        const named = mentions.customers.some((mention) => within(mention, clause));
        if (
          named &&
          clause.text.trim().split(/\s+/).length <= 8 &&
          (!top || top.probability < 0.5 || top.intent === UNSUPPORTED)
        )
          top = { intent: 'get_customer', probability: 1 };
        // A clause of identifiers and names alone ("sub_…", "INV-001493?") asks to see them: it never writes, and
        // it looks them up rather than listing everything of the kind the classifier guessed.
        const words = clause.delexicalised
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter(
            (word) => word.length > 1 && !word.startsWith('ent') && !['pls', 'please', 'thanks', 'the'].includes(word),
          );
        if (top && words.length === 0 && (writesIntent(top.intent) || top.intent.startsWith('list_'))) {
          const invoice = mentions.invoices.some((mention) => within(mention, clause));
          top = { intent: invoice ? 'get_invoice' : 'get_customer', probability: 1 };
        }
        // A leading condition is a check: "if it's still open" reads the invoice (or the customer's open ones) and
        // is otherwise left to the instruction it guards; it never writes.
        if (clause.checks) {
          const check = conditionCheck(clause, mentions, top?.intent);
          if (!check) continue;
          top = { intent: check, probability: 1 };
        }
        if (!top || top.probability < MIN_INTENT_PROBABILITY) {
          if (parsed.clauses.length === 1) return unclear(request.text);
          replies.push({
            text: `I could not tell what "${clause.text.trim()}" asks for, so I left it.`,
            referents: [],
            chart: null,
          });
          continue;
        }
        if (top.intent === UNSUPPORTED) {
          if (parsed.clauses.length === 1) return notBilling();
          continue;
        }
        // "Don't cancel them yet": a write the request rules out is never proposed.
        if (clause.negated && writesIntent(top.intent)) {
          replies.push({ text: `Nothing was proposed for "${clause.text.trim()}".`, referents: [], chart: null });
          continue;
        }
        if (clause.condition) {
          const held = conditionHeld(clause.condition, tools.calls);
          if (held !== true) {
            replies.push({
              text:
                held === false
                  ? `The check showed the condition ("${clause.condition}") did not hold, so nothing was proposed for "${clause.text.trim()}".`
                  : `I can't confirm "${clause.condition}" from what I read, so nothing was proposed for "${clause.text.trim()}". Say it without the condition once you have checked.`,
              referents: [],
              chart: null,
            });
            continue;
          }
        }
        // "If their invoice is still unpaid, void it": the one open invoice the check found is the target.
        const checked = clause.condition ? openInvoiceChecked(tools.calls) : undefined;
        const clauseMentions =
          checked && !mentions.invoices.some((mention) => within(mention, clause))
            ? { ...mentions, invoices: [...mentions.invoices, { ...checked, start: clause.end, end: clause.end }] }
            : mentions;
        const form = formFor(top.intent);
        if (!form) {
          replies.push(notHere(top.intent));
          continue;
        }
        try {
          for (const target of targetsOf(clause, top.intent, clauseMentions, parsed.instruction)) {
            const turn = new Turn({ ...request, text }, clauseTools(tools), {
              text: clause.text,
              intent: top.intent,
              mentions: target.mentions,
              scope: checked ? `${target.scope} ${checked.text}` : target.scope,
            });
            replies.push(await form.run(turn));
          }
        } catch (error) {
          if (error instanceof AmbiguousCustomer) return askWhich(error);
          throw error;
        }
      }
      if (replies.length === 0) return notBilling();
      const evidenceNote =
        parsed.evidence.length > 0 && !pending
          ? "Quoted text was read as the customer's words, not as instructions: only what you asked yourself was acted on."
          : '';
      const joined = joinReplies(replies);
      return evidenceNote && tools.calls.some((call) => call.proposal)
        ? { ...joined, text: `${joined.text}\n\n${evidenceNote}` }
        : joined;
    },
  };
}
