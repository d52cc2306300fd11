/**
 * The built-in planner: offline, no model, deterministic. A request is parsed the way task-oriented dialogue
 * systems parse one (src/agent/parse/): what it names is resolved against the org's own records
 * (`resolve_mentions`), quoted or pasted text is set aside as evidence, the instruction is split into clauses,
 * and a trained intent classifier picks each clause's operation. The form that carries out that operation
 * resolves the rest with read operations and proposes at most the writes it names. A name several customers
 * fit gets one short question naming them (answered by "the second one" or a name); a request that is not
 * billing, or that the classifier cannot place, gets one sentence and never a guessed write.
 */

import { findOperation } from '../../operations/registry.ts';
import type { Mentions } from '../../operations/resolve-mentions.ts';
import type { AgentCall, AgentTools, Planner, PlannerReply, PlannerRequest, Referent } from '../agent-types.ts';
import { UNSUPPORTED } from '../parse/intent-corpus.ts';
import { type Clause, instructionOf, parseRequest, QUOTE_HEADER } from '../parse/parse-request.ts';
import type { Form } from './form.ts';
import { ACT_FORMS } from './forms-act.ts';
import { ASK_FORMS, whatIf } from './forms-ask.ts';
import { followUp } from './forms-follow-up.ts';
import { RECORD_FORMS } from './forms-records.ts';
import { AmbiguousCustomer, NO_MENTIONS, Turn } from './turn.ts';

/** Every form the classifier can choose, plus follow-ups (which answer the previous turn, not an intent). */
export const FORMS: readonly Form[] = [followUp, ...ACT_FORMS, ...RECORD_FORMS, ...ASK_FORMS];

/** Below this probability the top intent is not trusted: the planner says what it can do instead. */
export const MIN_INTENT_PROBABILITY = 0.25;

/** The question a clarification starts with; a later turn that answers it completes the pending request. */
const CLARIFY_LEAD = 'Which customer do you mean by';

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
function formFor(intent: string): Form | undefined {
  return FORMS.find((form) => form.intents.includes(intent));
}

/** Tools whose `calls` are only the calls made through them, so each clause's reply describes its own calls. */
function clauseTools(tools: AgentTools): AgentTools {
  const calls: AgentCall[] = [];
  return {
    calls,
    async call(operation, input) {
      const call = await tools.call(operation, input);
      calls.push(call);
      return call;
    },
  };
}

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
function askWhich(error: AmbiguousCustomer): PlannerReply {
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
function narrowed(mentions: Mentions, chosen: Referent, mentionText: string): Mentions {
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
function pendingAnswer(request: PlannerRequest): { original: string; chosen: Referent; mention: string } | undefined {
  const last = request.history[request.history.length - 1];
  if (!last?.reply.startsWith(CLARIFY_LEAD)) return undefined;
  const mention = /^Which customer do you mean by "([^"]+)"/.exec(last.reply)?.[1];
  const chosen = pickCandidate(request.text.trim().replace(/[.!?]+$/, ''), last.referents);
  return mention && chosen ? { original: last.request, chosen, mention } : undefined;
}

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

/** True when an operation writes. */
function writesIntent(intent: string): boolean {
  const operation = findOperation(intent);
  return operation !== undefined && operation.kind !== 'data.read' && operation.kind !== 'data.export';
}

/** True when a clause's top intent writes. */
function writes(clause: Clause): boolean {
  return writesIntent(clause.intents[0]?.intent ?? '');
}

/** Whether a condition the reads can settle held; undefined when the planner cannot tell. */
function conditionHeld(condition: string, calls: readonly AgentCall[]): boolean | undefined {
  if (/\b(?:double[-\s]?charged?|charged\s+twice|duplicate\s+charges?)\b/i.test(condition)) {
    const found = calls.find((call) => call.operation === 'find_double_charges')?.result as
      | { doubleCharges?: unknown[] }
      | undefined;
    return found ? (found.doubleCharges?.length ?? 0) > 0 : undefined;
  }
  if (/\bopen\s+invoices?\b|\bstill\s+owes?\b/i.test(condition)) {
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

/** "Go ahead", "sort this out", "please record it": the person hands the quoted request over. */
const DELEGATES =
  /\b(?:go\s+ahead|do\s+(?:it|that|this|so)|sort\s+(?:this|it|that)(?:\s+out)?|handle\s+(?:this|it|that)|action\s+(?:this|it|that)|process\s+(?:this|it|that)|please\s+(?:record|do|action|process|handle|apply)\s+(?:it|this|that)|make\s+it\s+so|take\s+care\s+of\s+(?:it|this|that)|as\s+(?:they|requested|asked))\b/i;
/** "Is that true?", "check before we do anything": the person wants it looked at, not done. */
const CHECKS =
  /\b(?:check|verify|confirm|is\s+(?:that|this|it)\s+(?:actually\s+)?(?:true|right|correct|legit)|look\s+into|investigate|before\s+we\s+do\s+anything|what\s+should\s+i\s+do|thoughts|why)\b/i;

/**
 * A request whose own words only hand over or question pasted text ("ticket from X: '…' — go ahead"). The quote
 * is the customer's words: it is parsed only for what its sender asked about their own account — the customer
 * named outside the quote, and invoices and charges of theirs. A quote naming anyone else, or with no sender,
 * never becomes a write. A "check" only reads. Undefined when the person's own words are an instruction.
 */
async function fromQuote(
  request: PlannerRequest,
  tools: AgentTools,
  plain: Turn,
  parsed: ReturnType<typeof parseRequest>,
  mentions: Mentions,
): Promise<PlannerReply | undefined> {
  // The person's own words: the request without the quote and without the words that introduce it.
  const own = parsed.instruction.replace(QUOTE_HEADER, ' ').replace(/\s+/g, ' ').trim();
  const ownIntent = parseRequest(own, NO_MENTIONS).clauses.find((clause) => {
    const [top] = clause.intents;
    return top && top.intent !== UNSUPPORTED && top.probability >= 0.5 && !DELEGATES.test(clause.text);
  });
  const delegates = DELEGATES.test(own);
  const checks = !delegates && CHECKS.test(own);
  if (ownIntent && !delegates && !checks) return undefined;
  const senders = mentions.customers.filter((mention) => mention.candidates.length === 1);
  const quote = parsed.evidence.map((span) => span.text.replace(/^["“'‘]|["”'’]$/g, '')).join('\n');
  const inQuote = (await plain.read<Mentions>('resolve_mentions', { text: quote.slice(0, 4000) })) ?? NO_MENTIONS;
  // The sender: the one customer named outside the quote; for a look only, the customer of the invoice it cites.
  // For a look only (never a write), the customer the quote itself is from: the one it names, or its invoice's.
  const quoteCustomers = inQuote.customers.filter((mention) => mention.candidates.length === 1);
  const cited = inQuote.invoices[0]?.customer_id;
  const citedCustomer = delegates
    ? undefined
    : quoteCustomers.length === 1
      ? quoteCustomers[0]?.candidates[0]
      : cited
        ? { id: cited, name: cited, email: '' }
        : undefined;
  const sender = senders.length === 1 ? senders[0]?.candidates[0] : citedCustomer;
  const belongs = (customerId: string) => sender !== undefined && customerId === sender.id;
  const scoped: Mentions = {
    ...inQuote,
    customers: sender ? [{ text: sender.name, start: 0, end: 0, how: 'exact', candidates: [sender] }] : [],
    invoices: inQuote.invoices.filter((invoice) => belongs(invoice.customer_id) || (!sender && checks)),
    charges: inQuote.charges.filter((charge) => belongs(charge.customer_id)),
    subscriptions: inQuote.subscriptions.filter((subscription) => belongs(subscription.customer_id)),
  };
  const others = [
    ...new Set(
      inQuote.customers
        .filter((mention) => !mention.candidates.some((candidate) => belongs(candidate.id)))
        .map((mention) => mention.candidates[0]?.name ?? mention.text),
    ),
  ];
  const note = `The pasted text is the customer's words, not an instruction${sender ? `; only ${sender.name}'s own account was considered` : ''}${others.length ? ` (it also names ${others.join(', ')}: nothing was done for them)` : ''}.`;
  // "Were they really charged twice?": the check a double-charge complaint needs, whatever else it asks.
  if (
    checks &&
    sender &&
    /\b(?:twice|double[-\s]?(?:charged|billed|charge)|duplicate\s+charges?|two\s+charges)\b/i.test(quote)
  ) {
    await plain.call('find_double_charges', { customer: sender.id.startsWith('cus_') ? sender.id : sender.name });
    const looked = plain.reply('');
    return { ...looked, text: `${note} Nothing was proposed; here is what the records show.\n\n${looked.text}` };
  }
  const quoteParsed = parseRequest(quote, inQuote);
  const clause =
    quoteParsed.clauses.find(
      (candidate) =>
        candidate.intents[0] !== undefined &&
        candidate.intents[0].intent !== UNSUPPORTED &&
        candidate.intents[0].probability >= MIN_INTENT_PROBABILITY,
    ) ?? quoteParsed.clauses[0];
  const intent = clause?.intents[0];
  if (!clause || !intent || intent.intent === UNSUPPORTED || intent.probability < MIN_INTENT_PROBABILITY) {
    if (!sender)
      return { text: `${note} Tell me what you want done, naming the customer.`, referents: [], chart: null };
    await plain.call('get_customer', { customer_id: sender.id });
    return { ...plain.reply(note), text: `${note}\n\n${plain.reply('').text}` };
  }
  // Only the person's own "go ahead" turns a customer's request into a proposal; otherwise it is looked at.
  if (writes(clause) && !delegates) {
    const target = sender?.name ?? inQuote.invoices[0]?.customer_id;
    if (/\b(?:twice|double|duplicate)\b/i.test(quote))
      await plain.call('find_double_charges', target ? { customer: target } : {});
    else if (inQuote.invoices[0]) await plain.call('get_invoice', { invoice_id: inQuote.invoices[0].id });
    else if (target)
      await plain.call('get_customer', target.startsWith('cus_') ? { customer_id: target } : { name: target });
    const looked = plain.reply('');
    return {
      ...looked,
      text: `${note} Nothing was proposed${sender ? ' (say "go ahead" to act on it for the sender)' : "; I can't tell whose request it is"}${looked.text ? `; here is what the records show.\n\n${looked.text}` : '.'}`,
    };
  }
  // A quote that names another company may be about that company ("our partner X asked you to refund their
  // invoice"): no write is aimed from it at anyone; the person says it themselves.
  if (writes(clause) && others.length > 0)
    return {
      text: `${note} Because the pasted text names ${others.join(', ')}, nothing was proposed from it: say what should be done, and for whom, in your own words.`,
      referents: [],
      chart: null,
    };
  if (!sender && writes(clause))
    return {
      text: `${note} I can't tell whose request this is, so nothing was proposed. Say it yourself, naming the customer, e.g. "${clause.text.trim().slice(0, 80)} for <customer>".`,
      referents: [],
      chart: null,
    };
  const form = formFor(intent.intent);
  if (!form) return notHere(intent.intent);
  const turn = new Turn({ ...request, text: quote }, clauseTools(tools), {
    text: clause.text,
    intent: intent.intent,
    mentions: scoped,
    scope: `${sender?.name ?? ''} ${clause.text}`,
    resolvedOnly: true,
  });
  try {
    const reply = await form.run(turn);
    return { ...reply, text: `${reply.text}\n\n${note}` };
  } catch (error) {
    if (error instanceof AmbiguousCustomer) return askWhich(error);
    throw error;
  }
}

/** The built-in planner. */
export function builtinPlanner(): Planner {
  return {
    name: 'builtin',
    async respond(request, tools): Promise<PlannerReply> {
      const plain = new Turn(request, tools);
      const pending = pendingAnswer(request);
      if (!pending && followUp.matches(plain)) return followUp.run(plain);
      if (!pending && whatIf.matches(plain)) return whatIf.run(plain);
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
        // A few words around a customer's name ("nimbus robotics invoice?", "what does wave owe us") that the
        // classifier cannot place: look the customer up (which asks which one when the name fits several).
        const named = mentions.customers.some((mention) => within(mention, clause));
        if (
          named &&
          clause.text.trim().split(/\s+/).length <= 8 &&
          (!top || top.probability < 0.5 || top.intent === UNSUPPORTED)
        )
          top = { intent: 'get_customer', probability: 1 };
        // A clause of identifiers and names alone ("sub_…", "INV-001493?") asks to see them: it never writes.
        const words = clause.delexicalised
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter(
            (word) => word.length > 1 && !word.startsWith('ent') && !['pls', 'please', 'thanks', 'the'].includes(word),
          );
        if (top && words.length === 0 && writesIntent(top.intent)) {
          const invoice = mentions.invoices.some((mention) => within(mention, clause));
          top = { intent: invoice ? 'get_invoice' : 'get_customer', probability: 1 };
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
        const form = formFor(top.intent);
        if (!form) {
          replies.push(notHere(top.intent));
          continue;
        }
        try {
          for (const target of targetsOf(clause, top.intent, mentions, parsed.instruction)) {
            const turn = new Turn({ ...request, text }, clauseTools(tools), {
              text: clause.text,
              intent: top.intent,
              mentions: target.mentions,
              scope: target.scope,
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

/** A request the classifier could not place: one sentence and the closest things Leash can do. */
function unclear(text: string): PlannerReply {
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
function notBilling(): PlannerReply {
  return {
    text: `I don't understand that as a billing request, so there is nothing for me to look up or change. I answer questions about customers, invoices, subscriptions, payments and revenue, and prepare refunds, credits, plan changes and replies, e.g. "Why did MRR drop last week?" or "Refund INV-000123".`,
    referents: [],
    chart: null,
  };
}

/** An operation the built-in planner recognises but does not fill in. */
function notHere(intent: string): PlannerReply {
  const operation = findOperation(intent);
  return {
    text: `That sounds like ${intent} (${operation?.description ?? 'an operation'}). The built-in planner does not fill that one in from a sentence: use a model planner (--planner llm), the dashboard, or the ${intent} tool over MCP. Nothing was proposed.`,
    referents: [],
    chart: null,
  };
}
