/**
 * Pasted or quoted text in a request: the customer's words, never an instruction. It is parsed for a write only when
 * the person hands it over ("go ahead"), only for its sender and the sender's own records, and never when it names
 * another company; a "check" only reads.
 */
import type { Mentions } from '../../operations/resolve-mentions.ts';
import type { AgentTools, PlannerReply, PlannerRequest } from '../agent-types.ts';
import { UNSUPPORTED } from '../parse/intent-corpus.ts';
import { type Clause, parseRequest, QUOTE_HEADER } from '../parse/parse-request.ts';
import { askWhich } from './clarify.ts';
import { clauseTools, formFor, MIN_INTENT_PROBABILITY, notHere, writes } from './planner-parts.ts';
import { AmbiguousCustomer, NO_MENTIONS, Turn } from './turn.ts';

/** "Go ahead", "sort this out", "please record it": the person hands the quoted request over. */
const DELEGATES =
  /\b(?:go\s+ahead|do\s+(?:it|that|this|so)|sort\s+(?:this|it|that)(?:\s+out)?|handle\s+(?:this|it|that)|action\s+(?:this|it|that)|process\s+(?:this|it|that)|please\s+(?:record|do|action|process|handle|apply)\s+(?:it|this|that)|make\s+it\s+so|take\s+care\s+of\s+(?:it|this|that)|as\s+(?:they|requested|asked))\b/i;
/** "Is that true?", "check before we do anything": the person wants it looked at, not done. */
const CHECKS =
  /\b(?:check|verify|confirm|is\s+(?:that|this|it)\s+(?:actually\s+)?(?:true|right|correct|legit)|look\s+into|investigate|before\s+we\s+do\s+anything|what\s+should\s+i\s+do|thoughts|why)\b/i;

/** "Refund it", "set up the cancellation that way": an instruction about what the quote asks for. */
const POINTS_BACK =
  /\b(?:it|that|this|them|those|that\s+way|the\s+(?:cancellation|refund|credit|change|upgrade|downgrade|request))\b/i;

/**
 * The one company a quote is signed by or speaks as ("hi this is Falcon Learning, …", "… — Tom, Cloud Logistics"),
 * when it names no other: undefined otherwise (a quote about someone else never picks a target).
 */
function signedBy(quote: string, inQuote: Mentions): Mentions['customers'][number] | undefined {
  const [only, other] = inQuote.customers;
  if (!only || other || only.candidates.length !== 1) return undefined;
  const before = quote.slice(0, only.start);
  const after = quote.slice(only.end);
  const speaksAs = /\b(?:this\s+is|we\s+are|we're|here\s+at)\s+$/i.test(before);
  const signs = /(?:^|[—–-]|,|\n)\s*(?:[A-Z][\w.]*\s*,?\s*)?$/.test(before) && /^[\s.!"”'’»]*$/.test(after);
  return speaksAs || signs ? only : undefined;
}

/** The person's own write, for the company that signed the quote, with only that company's records in play. */
async function actForSigner(
  request: PlannerRequest,
  tools: AgentTools,
  own: Clause,
  signer: Mentions['customers'][number],
  inQuote: Mentions,
): Promise<PlannerReply | undefined> {
  const [top] = own.intents;
  const form = top ? formFor(top.intent) : undefined;
  if (!top || !form) return top ? notHere(top.intent) : undefined;
  tools.noteUntrusted('quoted text in the request');
  const sender = signer.candidates[0];
  const theirs = (customerId: string) => customerId === sender?.id;
  const scoped: Mentions = {
    ...inQuote,
    customers: [signer],
    invoices: inQuote.invoices.filter((invoice) => theirs(invoice.customer_id)),
    charges: inQuote.charges.filter((charge) => theirs(charge.customer_id)),
    subscriptions: inQuote.subscriptions.filter((subscription) => theirs(subscription.customer_id)),
  };
  const turn = new Turn({ ...request, text: own.text }, clauseTools(tools), {
    text: own.text,
    intent: top.intent,
    mentions: scoped,
    scope: `${sender?.name ?? ''} ${own.text}`,
    resolvedOnly: true,
  });
  try {
    const reply = await form.run(turn);
    const said = own.text.replace(/^[\s—–-]+/, '').trim();
    const note = `The pasted text is the customer's words: only your own instruction ("${said}") was acted on, for ${sender?.name}, who sent it.`;
    return { ...reply, text: `${reply.text}\n\n${note}` };
  } catch (error) {
    if (error instanceof AmbiguousCustomer) return askWhich(error);
    throw error;
  }
}

/**
 * A request whose own words only hand over or question pasted text ("ticket from X: '…' — go ahead"). The quote
 * is the customer's words: it is parsed only for what its sender asked about their own account — the customer
 * named outside the quote, and invoices and charges of theirs. A quote naming anyone else, or with no sender,
 * never becomes a write. A "check" only reads. Undefined when the person's own words are an instruction.
 */
export async function fromQuote(
  request: PlannerRequest,
  tools: AgentTools,
  plain: Turn,
  parsed: ReturnType<typeof parseRequest>,
  mentions: Mentions,
): Promise<PlannerReply | undefined> {
  // The person's own words: the request without the quote and without the words that introduce it.
  const own = parsed.instruction.replace(QUOTE_HEADER, ' ').replace(/\s+/g, ' ').trim();
  // A read about a target the person names themselves is theirs even when the classifier is less sure; a write,
  // or a read of "that invoice" (the quote's), must be clear.
  const namesOwn = [mentions.customers, mentions.invoices, mentions.charges].some((found) => found.length > 0);
  const ownIntent = parseRequest(own, NO_MENTIONS).clauses.find((clause) => {
    const [top] = clause.intents;
    const sure = top && top.probability >= (writes(clause) || !namesOwn ? 0.5 : MIN_INTENT_PROBABILITY);
    return top && top.intent !== UNSUPPORTED && sure && !clause.negated && !DELEGATES.test(clause.text);
  });
  const delegates = DELEGATES.test(own);
  const checks = !delegates && CHECKS.test(own);
  // "Can you refund it", "set up the cancellation that way": the person's own write about what the quote asks,
  // naming no target of their own. It may act for the company the quote is signed by, and only with their words.
  const pointsBack =
    ownIntent !== undefined &&
    writes(ownIntent) &&
    POINTS_BACK.test(ownIntent.text) &&
    [mentions.customers, mentions.invoices, mentions.charges, mentions.subscriptions].every(
      (found) => found.length === 0,
    );
  if (ownIntent && !delegates && !checks && !pointsBack) return undefined;
  // From here the customer's words shape what is looked at or proposed: any write of this turn is marked.
  tools.noteUntrusted('quoted text in the request');
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
  if (ownIntent && pointsBack) {
    const signer = signedBy(quote, inQuote);
    if (!signer) return undefined;
    return actForSigner(request, tools, ownIntent, signer, inQuote);
  }
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
