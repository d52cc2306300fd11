/**
 * The claim checker: finds every sentence of a customer reply that asserts or promises a billing state change
 * (a refund, credit, discount, cancellation, plan change, voided or retried invoice), a charge or a
 * non-charge, a date or duration, a guarantee, or a tax or legal position, and marks it backed only when an
 * executed or approved action of that kind, for that customer, covering that amount backs it. Dates,
 * guarantees, tax and legal claims are never backed by an action: a person signs them off.
 *
 * Deterministic on purpose: it guards what a model or a template wrote, so it must not be a model itself. It
 * errs towards flagging; a flagged reply routes to a person (messaging.send).
 */
import { type ClaimAmount, claimAmount } from './claim-amount.ts';
import { type ClaimKind, claimKinds } from './claim-patterns.ts';

export type { ClaimAmount } from './claim-amount.ts';
export type { ClaimKind } from './claim-patterns.ts';

/** Where a backing action stands; only `succeeded` and `approved` back a claim. */
export type BackingStatus = 'succeeded' | 'approved' | 'pending_approval' | 'proposed' | 'failed' | 'blocked';

/** An action that may back a claim: one proposal or execution, for one customer, with its amount. */
export interface ClaimBacking {
  /** The operation: refund_charge, credit_customer, create_credit_note, cancel_subscription, change_plan… */
  operation: string;
  status: BackingStatus;
  customerId?: string | null;
  customerName?: string | null;
  /** Money the action moves, in minor units, with its currency (a refund's amount, a credit's). */
  amount?: number | null;
  currency?: string | null;
  /** A coupon's percentage off, or its free months. */
  percent?: number | null;
  months?: number | null;
  proposalId?: string | null;
}

/** The customer a reply is written to. */
export interface ReplyCustomer {
  id?: string | null;
  name?: string | null;
  email?: string | null;
}

/** One claim found in a reply. */
export interface ClaimFinding {
  /** The sentence that makes it. */
  sentence: string;
  kind: ClaimKind;
  /** The amount it states: money in minor units with its currency, a percentage, or free months. */
  amount?: ClaimAmount;
  /** Another customer the sentence names, when it is not about the reply's customer. */
  target?: string;
  backed: boolean;
  /** Why it is backed or not, for a person. */
  why: string;
}

/** The operations that can back each kind of claim; the others (dates, guarantees, tax, legal) need a person. */
export const BACKED_BY: Readonly<Partial<Record<ClaimKind, readonly string[]>>> = {
  refund: ['refund_charge'],
  credit: ['credit_customer', 'create_credit_note'],
  discount: ['apply_coupon', 'remove_coupon'],
  cancellation: ['cancel_subscription'],
  plan: ['change_plan'],
  invoice: ['void_invoice', 'retry_invoice'],
  charge: ['retry_invoice'],
  no_charge: ['cancel_subscription', 'void_invoice', 'create_credit_note'],
};

/** Every operation a backing can be. */
export const BACKING_OPERATIONS = [...new Set(Object.values(BACKED_BY).flat())];

/** Operations whose amount a claim's amount must fit within; the rest (a cancellation) carry none. */
const AMOUNT_BOUND = new Set([
  'refund_charge',
  'credit_customer',
  'create_credit_note',
  'void_invoice',
  'retry_invoice',
  'apply_coupon',
]);

const SETTLED: ReadonlySet<BackingStatus> = new Set(['succeeded', 'approved']);

/** Splits a text into sentences: ., ! or ? (maybe closing a quote) before a space ends one; so does a line break. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["')\]]?)\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[a-z]/i.test(sentence));
}

/**
 * The reply without the text it quotes: lines of an email quotation ("> …") and the "On …, Dana wrote:" line that
 * opens one. The customer's words claim nothing.
 */
export function ownWords(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line) && !/^\s*On\b.{0,120}\bwrote:\s*$/i.test(line))
    .join('\n');
}

const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '');

function sameCustomer(name: string, customer: ReplyCustomer | undefined): boolean {
  if (!customer) return false;
  const named = slug(name);
  if (!named) return false;
  if (customer.id && named === slug(customer.id)) return true;
  const own = slug(customer.name ?? '');
  if (own && (own.includes(named) || named.includes(own))) return true;
  const local = slug((customer.email ?? '').split('@')[0] ?? '');
  const domain = slug((customer.email ?? '').split('@')[1]?.split('.')[0] ?? '');
  return (local.length > 2 && named === local) || (domain.length > 2 && named === domain);
}

/** Capitalised words that are not a customer's name when they open a possessive or follow "for". */
const NOT_NAMES = new Set(
  'i we you your our the this that it its my he she they there today tomorrow monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december visa mastercard amex stripe paypal pro plus basic business team enterprise starter premium growth scale annual monthly hi hello dear thanks'.split(
    ' ',
  ),
);

/** Another customer the sentence names (a backing's customer, an id, or "Globex's account"), if any. */
function otherTarget(
  sentence: string,
  customer: ReplyCustomer | undefined,
  backing: readonly ClaimBacking[],
): string | undefined {
  for (const id of sentence.match(/\bcus_[A-Za-z0-9]+/g) ?? []) if (id !== customer?.id) return id;
  for (const action of backing) {
    const name = action.customerName?.trim();
    if (!name || name.length < 3 || sameCustomer(name, customer)) continue;
    if (new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(sentence)) return name;
  }
  const possessive =
    /\b((?:[A-Z][\w&.-]*)(?:\s+(?:[A-Z][\w&.-]*|&|of|and)){0,3})'s\s+(?:\S+\s+){0,2}?(?:account|subscription|invoice|refund|card|plan|charge|payment|bill|balance|credit|order|renewal)\b/.exec(
      sentence,
    )?.[1];
  const forCompany =
    /\b(?:for|to|on)\s+((?:[A-Z][\w&.-]*\s+){0,3}(?:Corp(?:oration)?|Inc|Ltd|LLC|GmbH|Co|Industries|Labs|Systems|Group|Holdings|Technologies|Partners)\.?)(?=\W|$)/.exec(
      sentence,
    )?.[1];
  // "the Zenith Robotics account", "to the Hooli workspace".
  const theirAccount =
    /\b(?:[Tt]he|to|for|on|into)\s+((?:[A-Z][\w&.-]*)(?:\s+(?:[A-Z][\w&.-]*|&|of|and)){0,3})\s+(?:account|subscription|workspace|org|organi[sz]ation|team account)\b/.exec(
      sentence,
    )?.[1];
  for (const name of [possessive, forCompany, theirAccount]) {
    const first = name?.split(/\s+/)[0]?.toLowerCase() ?? '';
    if (name && !NOT_NAMES.has(first) && !sameCustomer(name, customer)) return name.trim();
  }
  return undefined;
}

function backsCustomer(action: ClaimBacking, target: string | undefined, customer: ReplyCustomer | undefined) {
  if (target)
    return (
      (action.customerId ?? '') === target || (!!action.customerName && slug(action.customerName) === slug(target))
    );
  // With no customer named for the reply, only actions with no customer can be its own (nothing to compare).
  if (!customer || (!customer.id && !customer.name)) return !action.customerId && !action.customerName;
  if (customer.id && action.customerId) return action.customerId === customer.id;
  return !!action.customerName && sameCustomer(action.customerName, customer);
}

/** Shows an amount for a person: "$50.00", "20%", "3 months". */
export function showAmount(amount: ClaimAmount | undefined): string {
  if (!amount) return '';
  if ('percent' in amount) return `${amount.percent}%`;
  if ('months' in amount) return `${amount.months} month${amount.months === 1 ? '' : 's'} free`;
  if (!amount.currency) return `${(amount.amount / 100).toFixed(2)} (no currency said)`;
  const digits = amount.currency === 'jpy' ? 0 : 2;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: amount.currency.toUpperCase() }).format(
    amount.amount / 10 ** digits,
  );
}

/** How much of `amount` the settled actions cover: true when all of it, with the actions' total. */
function covers(amount: ClaimAmount | undefined, actions: readonly ClaimBacking[]): boolean {
  if (!amount) return true;
  const bound = actions.filter((action) => AMOUNT_BOUND.has(action.operation));
  if (bound.length < actions.length) return true; // a cancellation or plan change carries no amount to exceed
  if ('percent' in amount) return bound.some((action) => (action.percent ?? -1) >= amount.percent);
  if ('months' in amount) return bound.some((action) => (action.months ?? -1) >= amount.months);
  const sameCurrency = bound.filter(
    (action) => typeof action.amount === 'number' && (!amount.currency || action.currency === amount.currency),
  );
  const byCurrency = new Map<string, number>();
  for (const action of sameCurrency)
    byCurrency.set(action.currency ?? '', (byCurrency.get(action.currency ?? '') ?? 0) + (action.amount ?? 0));
  return [...byCurrency.values()].some((total) => total >= amount.amount);
}

const NEEDS_PERSON: Partial<Record<ClaimKind, string>> = {
  date: 'a date or duration is a promise no action backs: a person must check it',
  guarantee: 'a guarantee or certainty is a promise no action backs: a person must check it',
  tax: 'a tax statement needs finance or legal to review it',
  legal: 'a legal statement needs legal to review it',
};

function judge(
  kind: ClaimKind,
  amount: ClaimAmount | undefined,
  target: string | undefined,
  customer: ReplyCustomer | undefined,
  backing: readonly ClaimBacking[],
): { backed: boolean; why: string } {
  const person = NEEDS_PERSON[kind];
  if (person) return { backed: false, why: person };
  const operations = BACKED_BY[kind] ?? [];
  const who = target ?? customer?.name ?? customer?.id ?? 'this customer';
  const ofKind = backing.filter((action) => operations.includes(action.operation));
  const forWho = ofKind.filter((action) => backsCustomer(action, target, customer));
  const settled = forWho.filter((action) => SETTLED.has(action.status));
  const named = target ? ` (the sentence is about ${target}, not the reply's customer)` : '';
  if (settled.length === 0) {
    const waiting = forWho.find((action) => !SETTLED.has(action.status));
    if (waiting)
      return {
        backed: false,
        why: `${waiting.operation}${waiting.proposalId ? ` ${waiting.proposalId}` : ''} for ${who} is ${waiting.status}: only an executed or approved action backs a claim${named}`,
      };
    if (ofKind.length > 0)
      return {
        backed: false,
        why: `the ${ofKind[0]?.operation} on record is for another customer, not ${who}${named}`,
      };
    return { backed: false, why: `no executed or approved ${operations.join(' or ')} for ${who} backs this${named}` };
  }
  if (!covers(amount, settled))
    return {
      backed: false,
      why: `it says ${showAmount(amount)}, more than the executed or approved ${settled.map((action) => `${action.operation} of ${showAmount(backingAmount(action))}`).join(', ')} for ${who}`,
    };
  const first = settled[0] as ClaimBacking;
  return {
    backed: true,
    why: `backed by ${first.operation}${first.proposalId ? ` ${first.proposalId}` : ''} (${first.status}) for ${who}${amount ? `, covering ${showAmount(amount)}` : ''}`,
  };
}

function backingAmount(action: ClaimBacking): ClaimAmount | undefined {
  if (typeof action.amount === 'number') return { amount: action.amount, currency: action.currency ?? null };
  if (typeof action.percent === 'number') return { percent: action.percent };
  if (typeof action.months === 'number') return { months: action.months };
  return undefined;
}

/** Every claim in `text`, each marked backed or not by the `backing` actions for the reply's `customer`. */
export function checkClaims(
  text: string,
  context: { customer?: ReplyCustomer | undefined; backing?: readonly ClaimBacking[] | undefined } = {},
): ClaimFinding[] {
  const backing = context.backing ?? [];
  const findings: ClaimFinding[] = [];
  for (const sentence of sentences(ownWords(text))) {
    const kinds = claimKinds(sentence);
    if (kinds.length === 0) continue;
    const amount = claimAmount(sentence);
    const target = otherTarget(sentence, context.customer, backing);
    for (const kind of kinds) {
      const stated = NEEDS_PERSON[kind] ? undefined : amount;
      findings.push({
        sentence,
        kind,
        ...(stated ? { amount: stated } : {}),
        ...(target ? { target } : {}),
        ...judge(kind, stated, target, context.customer, backing),
      });
    }
  }
  return findings;
}

/** The findings no executed or approved action backs. */
export function unbackedClaims(findings: readonly ClaimFinding[]): ClaimFinding[] {
  return findings.filter((finding) => !finding.backed);
}

/** True when a finding commits the business to money, a change or a date nobody approved. */
export function makesBillingPromise(findings: readonly ClaimFinding[]): boolean {
  return findings.some((finding) => !finding.backed && finding.kind !== 'tax' && finding.kind !== 'legal');
}

/** True when a finding makes a tax or legal claim. */
export function makesTaxOrLegalClaim(findings: readonly ClaimFinding[]): boolean {
  return findings.some((finding) => finding.kind === 'tax' || finding.kind === 'legal');
}
