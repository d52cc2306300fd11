/**
 * The request parser: from a request and the mentions resolved in it, the clauses to act on, each with its
 * intent. Quoted or pasted text ("customer wrote: …", text in quotes) is evidence, never an instruction: it is
 * blanked out before anything is classified, and no write is aimed at a target named only there. A request with
 * two instructions ("refund X and credit Y $10") gives two clauses; a condition ("… and credit them if the
 * double charge is confirmed") is kept apart so the planner runs the reads first and proposes only if it held.
 */

import { emailsIn } from '../../domain/mentions.ts';
import type { Mentions, Span } from '../../operations/resolve-mentions.ts';
import { amountSpans } from '../builtin/entities.ts';
import { type RankedIntent, rankIntents } from './intent-classifier.ts';
import { ENTITY_TOKENS, UNSUPPORTED } from './intent-corpus.ts';

/** One instruction of a request. */
export interface Clause {
  /** The clause as written (a slice of the instruction text). */
  text: string;
  start: number;
  end: number;
  /** The clause as the classifier saw it (mentions and amounts as entity tokens). */
  delexicalised: string;
  intents: RankedIntent[];
  /** The condition it depends on ("if the double charge is confirmed"), if any. */
  condition?: string;
  /** True for a leading condition read as a clause of its own ("if it's still open, …"): a check, never a write. */
  checks?: boolean;
  /** True for a write the request rules out ("don't cancel them yet"): never an instruction to write. */
  negated?: boolean;
}

/** A parsed request. */
export interface ParsedRequest {
  /** The request with evidence blanked (same length, so offsets hold). */
  instruction: string;
  /** Quoted or pasted spans: evidence only. */
  evidence: Span[];
  clauses: Clause[];
}

/** The words that introduce pasted text: "customer wrote:", "ticket from X:", "Hooli replied:". */
export const QUOTE_HEADER =
  /\b(?:(?:the\s+)?(?:customer|cust|client)(?:'s)?\s+(?:wrote|says|said|writes|asked|e-?mail|message|note|reply|chat)|(?:they|he|she)\s+(?:wrote|said|say|says)|(?:ticket|e-?mail|message|note|chat|slack|fwd|forwarded|reply|dm)\s+(?:from|by)\s+[^:\n]{1,80}|(?:their|the)\s+(?:e-?mail|message|ticket|reply)\s+(?:says|said|reads)|[\w&.' -]{2,60}?\s+(?:replied|wrote|writes|said|says|emailed|messaged|asked))\s*:\s*/i;

/** Spans that quote someone else: text in quotes, and what follows "customer wrote:", "ticket from X:" and the like. */
export function evidenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  const pasted = QUOTE_HEADER.exec(text);
  if (pasted) {
    const start = (pasted.index ?? 0) + pasted[0].length;
    // The pasted part runs to the end, or to a closing quote followed by the person's own words.
    const quoted = /^\s*["“'‘«]([^"”’»]*)["”'’»]/.exec(text.slice(start));
    const end = quoted ? start + quoted[0].length : text.length;
    spans.push({ text: text.slice(start, end), start, end });
  }
  // An email pasted with "> " before each line is quoted too.
  for (const match of text.matchAll(/(?:^|\n)(?:[ \t]*>[^\n]*(?:\n|$))+/g)) {
    const start = (match.index ?? 0) + (match[0].startsWith('\n') ? 1 : 0);
    const end = (match.index ?? 0) + match[0].length;
    if (!spans.some((other) => start < other.end && other.start < end))
      spans.push({ text: text.slice(start, end), start, end });
  }
  for (const match of text.matchAll(/["“«]([^"”»]{12,})["”»]|(?<![\w])['‘]([^'’]{24,})['’](?![\w])/g)) {
    const start = match.index ?? 0;
    const span = { text: match[0], start, end: start + match[0].length };
    if (!spans.some((other) => span.start < other.end && other.start < span.end)) spans.push(span);
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** `text` with every span replaced by spaces (offsets unchanged). */
function blank(text: string, spans: readonly Span[]): string {
  let result = text;
  for (const span of spans)
    result = result.slice(0, span.start) + ' '.repeat(span.end - span.start) + result.slice(span.end);
  return result;
}

/** The clause text with mentions and amounts as entity tokens. */
export function delexicaliseClause(text: string, offset: number, mentions: Mentions): string {
  const replacements: { start: number; end: number; token: string }[] = [];
  const add = (spans: readonly Span[], token: string) => {
    for (const span of spans) {
      const start = span.start - offset;
      const end = span.end - offset;
      if (start >= 0 && end <= text.length) replacements.push({ start, end, token });
    }
  };
  add(mentions.customers, ENTITY_TOKENS.customer);
  add(mentions.invoices, ENTITY_TOKENS.invoice);
  add(mentions.charges, ENTITY_TOKENS.charge);
  add(mentions.subscriptions, ENTITY_TOKENS.subscription);
  add(mentions.plans, ENTITY_TOKENS.plan);
  add(mentions.coupons, ENTITY_TOKENS.coupon);
  add(mentions.unknown, ENTITY_TOKENS.invoice);
  for (const amount of amountSpans(text)) replacements.push({ ...amount, token: ENTITY_TOKENS.amount });
  for (const email of emailsIn(text)) replacements.push({ ...email, token: ENTITY_TOKENS.email });
  for (const percent of text.matchAll(/\b\d{1,3}(?:\.\d+)?\s*(?:%|percent\b)/gi))
    replacements.push({
      start: percent.index ?? 0,
      end: (percent.index ?? 0) + percent[0].length,
      token: ENTITY_TOKENS.percent,
    });
  const kept = replacements
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .filter(
      (item, index, all) => !all.slice(0, index).some((other) => item.start < other.end && other.start < item.end),
    )
    .sort((a, b) => b.start - a.start);
  let result = text;
  for (const item of kept) result = `${result.slice(0, item.start)}${item.token}${result.slice(item.end)}`;
  return result.replace(/\s+/g, ' ').trim();
}

/**
 * Where a second instruction may start: "and", "then", "also", ";", a new sentence, a dash before "just",
 * "only" or "instead" ("don't cancel them yet — just show me their plan").
 */
const JOINS =
  /\s*(?:;|[.?!]\s+|\s\+\s|\s+[—–-]{1,2}\s+(?=(?:but\s+)?(?:just|only|instead)\b)|\s+\|\s+|,?\s+(?:but\s+)?instead\s+|,?\s+(?:and\s+then|and\s+also|and|then|also|plus|as\s+well\s+as)(?:\s+|(?=,\s*if\b)))/gi;

/** "Nothing else for now.", "That's all.", "Thanks!": a sign-off, not an instruction. */
const SIGN_OFF =
  /^\s*(?:nothing\s+else(?:\s+for\s+now)?|that'?s\s+(?:all|it)(?:\s+for\s+now)?|thanks?(?:\s+you)?(?:\s+so\s+much)?|thx|ty|cheers)\s*[.!]*\s*$/i;

/** "Don't cancel …", "do not refund …", "no need to void …": a write the request rules out. */
const NEGATED_WRITE =
  /^\s*(?:please\s+)?(?:don'?t|do\s+not|never|no\s+need\s+to|(?:we|i)\s+(?:don'?t|do\s+not)\s+want\s+to)\s+(?:\w+\s+)?(?:cancel|refund|credit|void|retry|charge|apply|remove|change|upgrade|downgrade|move|switch|send|delete|create|add|update|migrate|terminate|end)\b/i;

/** The condition of a clause ("… if the double charge is confirmed", "if X, …"). */
const CONDITION = /\s*,?\s*\b(?:if|only\s+if|provided|assuming|in\s+case)\b\s+(.+)$/i;

/** "If they still owe us, void it": a condition before the instruction. */
const LEADING_CONDITION = /^[\s,]*(?:only\s+)?if\s+(.+?),\s*(?:then\s+)?(.+)$/i;

const FILTER_WORD = String.raw`(?:unpaid|open|overdue|past[-\s]due|outstanding|late|paid)`;
/** Two filters joined ("unpaid + overdue", "open and past due"): one listing, not two instructions. */
const FILTER_PAIR = new RegExp(
  String.raw`\b${FILTER_WORD}\s*(?:\+|&|\band\b|,)\s*${FILTER_WORD}\b(?!\s+(?:an?|the|tickets?|it|them)\b)`,
  'gi',
);

/**
 * Politeness that reads like a condition or a clause but asks nothing: "if you don't mind", "if it's not too much
 * trouble", "if possible", "when you get a chance". Blanked (same length, so the mentions' offsets hold) before
 * the request is split, so "…, if you don't mind, their plan as well" is never a condition to check.
 */
const POLITENESS =
  /,?\s*\b(?:if\s+(?:you\s+(?:don'?t|do\s+not|wouldn'?t|would\s+not)\s+mind|it'?s\s+not\s+too\s+much\s+(?:trouble|to\s+ask|hassle)|(?:at\s+all\s+)?possible|you\s+(?:can|could|have\s+(?:a|the)\s+(?:moment|minute|sec(?:ond)?|time))|that'?s\s+(?:ok(?:ay)?|alright|all\s+right|fine)|you\s+please|there\s+(?:are|is)\s+(?:some|any)(?:\s+at\s+all)?|any)|when(?:ever)?\s+you\s+(?:get|have)\s+a\s+(?:chance|moment|minute|sec(?:ond)?))\b\s*,?/gi;

function withoutPoliteness(text: string): string {
  return text.replace(POLITENESS, (found) => ' '.repeat(found.length));
}

/** Splits an instruction into clauses; a piece becomes its own clause only when it reads as an instruction. */
function splitClauses(given: string, mentions: Mentions): Clause[] {
  const instruction = withoutPoliteness(given);
  const pieces: { start: number; end: number }[] = [];
  let start = 0;
  // An "and" inside an amount ("a hundred and fifty euros") or a name ("Johnson and Johnson") joins nothing.
  // Nor does one between two filters of a listing ("unpaid + overdue", "open and past due").
  const filters = [...instruction.matchAll(FILTER_PAIR)].map((match) => ({
    start: match.index ?? 0,
    end: (match.index ?? 0) + match[0].length,
  }));
  const kept = [...amountSpans(instruction), ...mentions.customers, ...mentions.plans, ...filters];
  for (const join of instruction.matchAll(JOINS)) {
    const at = join.index ?? 0;
    // Where the join's word or mark is: an amount's span may end in the comma before it ("€10, and then …").
    const word = at + Math.max(0, join[0].search(/[^\s,]/));
    if (kept.some((span) => word >= span.start && word < span.end)) continue;
    pieces.push({ start, end: at });
    start = at + join[0].length;
  }
  pieces.push({ start, end: instruction.length });
  const clauses: Clause[] = [];
  for (const piece of pieces) {
    const raw = instruction.slice(piece.start, piece.end);
    if (raw.trim().length === 0 || SIGN_OFF.test(raw)) continue;
    // "if X, Y": the condition leads; it is also read as a clause of its own, so its look-up runs first.
    const leading = LEADING_CONDITION.exec(raw);
    if (leading?.[1] && leading[2]) {
      clauses.push({ ...makeClause(leading[1], piece.start + raw.indexOf(leading[1]), mentions), checks: true });
      const clause = makeClause(leading[2], piece.start + raw.lastIndexOf(leading[2]), mentions);
      clause.condition = leading[1].trim();
      clauses.push(clause);
      continue;
    }
    const condition = CONDITION.exec(raw);
    const body = condition ? raw.slice(0, condition.index) : raw;
    const clause = makeClause(body, piece.start, mentions);
    if (condition?.[1] && body.trim().length > 0) clause.condition = condition[1].trim();
    if (NEGATED_WRITE.test(body)) clause.negated = true;
    const previous = clauses[clauses.length - 1];
    // A piece that is not an instruction of its own ("and their plan", "and why") belongs to the one before;
    // after a write ruled out ("don't cancel them — just show their plan") it is the instruction itself.
    // A remark after context is more context ("Ticket T-1 | Hooli. We never promised this.").
    if (previous && isContext(previous) && isRemark(clause)) continue;
    if (previous && isContext(previous) && asks(clause)) {
      // "We never promised this. Please show me what they have": a remark before the instruction is context
      // (what it names stays in the request's mentions for "they").
      clauses[clauses.length - 1] = clause;
    } else if (previous && !previous.negated && !clause.negated && !standsAlone(clause, previous)) {
      const merged = makeClause(instruction.slice(previous.start, piece.end), previous.start, mentions);
      // A remark glued on ("…; the total looks like a proration") must not blur what the instruction asked: the
      // merged clause keeps the instruction's reading when that one was surer.
      const [before] = previous.intents;
      const [after] = merged.intents;
      if (
        before &&
        before.intent !== UNSUPPORTED &&
        before.probability > (after?.probability ?? 0) &&
        !isVerbFirst(clause.text)
      )
        merged.intents = previous.intents;
      if (previous.condition) merged.condition = previous.condition;
      if (clause.condition) merged.condition = clause.condition;
      clauses[clauses.length - 1] = merged;
    } else if (body.trim().length > 0) clauses.push(clause);
    else if (previous && condition?.[1]) previous.condition = condition[1].trim();
  }
  return clauses;
}

/** "sorted by due date, oldest first", "the largest refunds first": how to order a listing, not what to do. */
const ORDER_WORDS =
  /,?\s*\b(?:(?:sort|order|rank)(?:ed)?\s+(?:them\s+|it\s+)?by\s+[^,.;?!]+(?:,\s*\w+\s+first)?|(?:with\s+)?(?:the\s+)?(?:largest|biggest|highest|smallest|lowest|newest|oldest|earliest|latest)\s+(?:[\w-]+\s+){0,2}?first)\b/gi;

function makeClause(text: string, start: number, mentions: Mentions): Clause {
  const delexicalised = delexicaliseClause(text, start, mentions);
  // The order asked for is read by the form (qualifiers.ts); the classifier reads what is asked.
  // So is an aside in brackets that names nothing ("(default window is fine)", "(for the audit)").
  const asked =
    delexicalised
      .replace(ORDER_WORDS, ' ')
      .replace(/\((?![^()]*\bent[a-z]+\b)[^()]*\)/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || delexicalised;
  return { text, start, end: start + text.length, delexicalised, intents: rankIntents(asked, 3) };
}

/**
 * A piece stands alone when the classifier is sure of an operation and the piece reads as an instruction: it
 * starts with a verb, or names its own target in words of its own ("Hooli wants a refund"). "Unpaid and past
 * due", "cancel A and B", "refund X and Y" stay one clause; the planner then acts once per target.
 */
function standsAlone(clause: Clause, previous: Clause): boolean {
  const [top] = clause.intents;
  if (!top || top.intent === UNSUPPORTED || top.probability < 0.5) return false;
  const words = clause.delexicalised.split(' ');
  if (words.length < 2) return false;
  const sameOperation = top.intent === previous.intents[0]?.intent;
  if (isVerbFirst(clause.text)) return !sameOperation || words.length >= 3;
  // "… and their payment history": a noun phrase the classifier is sure is another operation.
  if (!sameOperation && words.length >= 3 && top.probability >= 0.7) return true;
  return !sameOperation && words.length >= 3 && /\bent[a-z]+\b/.test(clause.delexicalised);
}

/**
 * Context before an instruction: a remark, or a few words that ask nothing ("Ticket T-1 | Hooli", "Customer wrote:
 * … — Hooli"). What it names stays in the request's mentions, for the instruction's "they".
 */
function isContext(clause: Clause): boolean {
  if (isRemark(clause)) return true;
  const short = clause.text.trim().split(/\s+/).length <= 6;
  // Words that only name a customer read as a look-up; words that say what happened ("they were double-charged")
  // are the request's substance, not context.
  const [top] = clause.intents;
  const namesOnly =
    !top ||
    top.intent === UNSUPPORTED ||
    top.probability < 0.5 ||
    top.intent === 'get_customer' ||
    top.intent === 'search_customers';
  return (
    short &&
    namesOnly &&
    !clause.text.includes('?') &&
    !clause.condition &&
    !clause.negated &&
    !isVerbFirst(clause.text)
  );
}

/** A piece that starts with a verb the classifier can place: an instruction. */
function asks(clause: Clause): boolean {
  const [top] = clause.intents;
  return isVerbFirst(clause.text) && top !== undefined && top.intent !== UNSUPPORTED && top.probability >= 0.25;
}

/**
 * A sentence that states rather than asks ("We never promised this.", "They were told otherwise."), naming no
 * record: a remark before the instruction, not an instruction of its own.
 */
function isRemark(clause: Clause): boolean {
  const stated = /^\s*(?:we|i|they|he|she|it|this|that)\s+(?!need|want|would|should|must|have\s+to|can|could)\w+/i;
  return (
    stated.test(clause.text) &&
    !clause.text.includes('?') &&
    !clause.condition &&
    !clause.negated &&
    !/\bent[a-z]+\b/.test(clause.delexicalised)
  );
}

function isVerbFirst(text: string): boolean {
  return /^\s*(?:please\s+|kindly\s+)?(?:(?:just|only)\s+)?(?:refund|credit|cancel|apply|remove|retry|void|upgrade|downgrade|move|switch|change|update|create|add|give|issue|send|draft|show|list|check|find|look|tell|explain|summari[sz]e|get|pull|what|why|how|who|which|is|are|did|does|has|let(?:ting)?\s+me\s+(?:know|see)|letting\s+me\s+see)\b/i.test(
    text,
  );
}

/** Parses a request given the mentions resolved in it (resolved on the instruction text, evidence blanked). */
export function parseRequest(text: string, mentions: Mentions): ParsedRequest {
  const evidence = evidenceSpans(text);
  const instruction = blank(text, evidence);
  return { instruction, evidence, clauses: splitClauses(instruction, mentions) };
}

/** The request's instruction text (evidence blanked), for resolving mentions before parsing. */
export function instructionOf(text: string): string {
  return blank(text, evidenceSpans(text));
}
