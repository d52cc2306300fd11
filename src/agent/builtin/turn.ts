/**
 * One request as the built-in planner works on it: the text, the conversation so far, and helpers that call
 * operations (through the agent's tools only), fetch the billing clock once, and compose the reply.
 */

import { isRead } from '../../operations/define-operation.ts';
import { findOperation } from '../../operations/registry.ts';
import { type CustomerMention, emptyMentions, type Mentions } from '../../operations/resolve-mentions.ts';
import type { AgentCall, AgentTools, PastTurn, PlannerReply, PlannerRequest, Referent } from '../agent-types.ts';
import { type Described, describeCall } from '../describe-result.ts';
import { type DateWindow, parseDateWindow } from './dates.ts';
import { customerReference, invoiceReference, reasonOf } from './entities.ts';

/** No mentions: what a turn knows before `resolve_mentions` ran. */
export const NO_MENTIONS: Mentions = emptyMentions();

/** Thrown when a request names a customer that several customers fit: the planner asks which one. */
export class AmbiguousCustomer extends Error {
  constructor(readonly mention: CustomerMention) {
    super(`"${mention.text}" fits ${mention.candidates.length} customers`);
  }
}

/** What the parser knows about the clause a turn works on. */
export interface ClauseContext {
  /** The clause's own words (the whole request when it has one instruction). */
  text: string;
  /** The operation the intent classifier chose. */
  intent: string;
  /** Everything the request names, resolved against the org's records. */
  mentions: Mentions;
  /** Where the clause's targets are looked for (default its own words; the whole request for "void it"). */
  scope?: string;
  /** Only resolved mentions name a customer (no reading of names from the words): for quoted text. */
  resolvedOnly?: boolean;
}

/** The request being planned (one clause of it). */
export class Turn {
  readonly text: string;
  readonly lower: string;
  /** The whole request, lower case (a clause's words are `lower`). */
  readonly request: string;
  readonly history: readonly PastTurn[];
  readonly caseId: string;
  /** The zone the member reads times in (UTC when the request has none). */
  readonly timeZone: string | undefined;
  /** The operation the intent classifier chose for this clause ('' when none was chosen). */
  readonly intent: string;
  readonly mentions: Mentions;
  /** The words a target must appear in: the clause, or the whole request when the clause says "it"/"them". */
  readonly scope: string;
  private readonly resolvedOnly: boolean;
  private readonly tools: AgentTools;
  private clock: Date | undefined;

  constructor(request: PlannerRequest, tools: AgentTools, clause?: ClauseContext) {
    this.text = (clause?.text ?? request.text).trim();
    this.lower = this.text.toLowerCase();
    this.request = request.text.toLowerCase();
    this.history = request.history;
    this.caseId = request.caseId;
    this.timeZone = request.timeZone;
    this.intent = clause?.intent ?? '';
    this.mentions = clause?.mentions ?? NO_MENTIONS;
    this.scope = clause?.scope ?? this.text;
    this.resolvedOnly = clause?.resolvedOnly ?? false;
    this.tools = tools;
  }

  /**
   * The customer the clause names (within `scope`, default the clause): the exact name of the one customer a
   * mention resolved to; the words as written when the org's records matched nothing (the operation then says
   * it found no such customer); undefined when none is named. A mention several customers fit throws
   * {@link AmbiguousCustomer}: the planner asks, it never picks one.
   */
  customerRef(scope: string = this.scope): string | undefined {
    const named = this.mentions.customers.filter((mention) => scope.includes(mention.text));
    const resolved = named.find((mention) => mention.candidates.length === 1);
    if (resolved) return resolved.candidates[0]?.name;
    const ambiguous = named.find((mention) => mention.candidates.length > 1);
    if (ambiguous) throw new AmbiguousCustomer(ambiguous);
    // A subscription or charge id alone names its customer.
    const owned = [...this.mentions.subscriptions, ...this.mentions.charges].find((mention) =>
      scope.includes(mention.text),
    );
    if (owned && named.length === 0 && this.intent === 'get_customer') return owned.customer_id;
    const invoice = this.mentions.invoices.find((mention) => scope.includes(mention.text));
    // "refund INV-… and give them a credit": "them" is the customer of the invoice the request names.
    if (invoice && scope !== this.text && !this.text.includes(invoice.text)) return invoice.customer_id;
    if (invoice && !/\b(?:customer|for|of|to)\b/i.test(scope.replace(invoice.text, ''))) return undefined;
    return this.resolvedOnly ? undefined : customerReference(scope);
  }

  /** The invoice the clause names: a resolved mention's id, or the number as written (so "not found" can say so). */
  invoiceRef(): { invoice_id: string } | { number: string } | undefined {
    const mention = this.mentions.invoices.find((candidate) => this.scope.includes(candidate.text));
    if (mention) return /^in_/.test(mention.text) ? { invoice_id: mention.id } : { number: mention.number };
    return invoiceReference(this.text);
  }

  /** Calls an operation through the pipeline. */
  call(operation: string, input: Record<string, unknown>): Promise<AgentCall> {
    return this.tools.call(operation, input);
  }

  /** Runs a read and returns its result, or undefined when it failed (the failure is in the call list). */
  async read<T>(operation: string, input: Record<string, unknown>): Promise<T | undefined> {
    const call = await this.call(operation, input);
    return call.outcome === 'read' ? (call.result as T) : undefined;
  }

  /** The billing system's "now" (read once per turn, only when a request names a relative date). */
  async now(): Promise<Date> {
    if (!this.clock) {
      const answer = await this.read<{ now: string }>('get_billing_date', {});
      this.clock = answer ? new Date(answer.now) : new Date();
    }
    return this.clock;
  }

  /** The period the request names, if any. */
  async window(): Promise<DateWindow | undefined> {
    if (!hasDateWords(this.lower)) return undefined;
    return parseDateWindow(this.lower, await this.now());
  }

  /** `{ from, to }` for the named period, or nothing. */
  async windowInput(): Promise<{ from?: string; to?: string }> {
    const window = await this.window();
    return window ? { from: window.from, to: window.to } : {};
  }

  /** The context every write carries: the person's stated reason (or their words) and this conversation. */
  writeContext(): { reason: string; case_id: string } {
    return {
      reason: reasonOf(this.text) ?? `Asked in conversation: "${this.text.slice(0, 300)}"`,
      case_id: this.caseId,
    };
  }

  /** The referents of the most recent turn that had any (with `many`, the most recent list of several). */
  lastReferents(many = false): Referent[] {
    for (let index = this.history.length - 1; index >= 0; index -= 1) {
      const referents = (this.history[index]?.referents ?? []).filter((referent) => referent.kind !== 'proposal');
      const kinds = new Map<string, number>();
      for (const referent of referents) kinds.set(referent.kind, (kinds.get(referent.kind) ?? 0) + 1);
      if (referents.length > 0 && (!many || Math.max(...kinds.values()) > 1)) return referents;
    }
    return many ? this.lastReferents(false) : [];
  }

  /**
   * A reply made of a lead sentence and the descriptions of the calls given (or all calls of the turn). A
   * change that could not even be proposed replaces the lead with why, so the reply never promises it.
   */
  reply(lead: string, calls: readonly AgentCall[] = this.tools.calls, note = ''): PlannerReply {
    const failedWrites = this.tools.calls.filter(
      (call) => !call.proposal && call.error && !isReadOperation(call.operation),
    );
    const proposed = this.tools.calls.some((call) => call.proposal);
    const shown = calls.filter(
      (call) =>
        call.operation !== 'resolve_mentions' &&
        (call.operation !== 'get_billing_date' || this.intent === 'get_billing_date') &&
        !failedWrites.includes(call),
    );
    const described: Described[] = shown.map((call) => describeCall(call, this.timeZone));
    const texts = described.filter((_item, index) => !shown[index]?.proposal).map((item) => item.text);
    const refusals = failedWrites.length
      ? [failedWrites.map((call) => `Nothing was proposed for ${call.operation}: ${call.error?.message}.`).join('\n')]
      : [];
    return {
      text: [proposed || failedWrites.length === 0 ? lead : '', ...refusals, ...texts, note]
        .filter((part) => part.length > 0)
        .join('\n\n'),
      referents: described.flatMap((item) => item.referents),
      chart: described.find((item) => item.chart)?.chart ?? null,
    };
  }

  /** A reply that asks for what is missing; nothing was proposed. */
  ask(question: string): PlannerReply {
    return { text: question, referents: [], chart: null };
  }

  /** The calls made so far. */
  get calls(): readonly AgentCall[] {
    return this.tools.calls;
  }
}

function hasDateWords(lower: string): boolean {
  return /\b(?:last|past|previous|this|since|today|yesterday|q[1-4]|year|ytd|in\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|from\s+\d{4}|the\s+\d{1,2}(?:st|nd|rd|th)\b|between\s|after\s|fortnight|quarter|week\s+before|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|\b\d{1,2}\/\d{1,2}\b|\buntil\b|\btill\b|\b\d{1,2}(?:st|nd|rd|th)\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:mon|tues?|wed|thu(?:rs)?|fri)(?:day)?\b|january|february|march|april|june|july|august|september|october|november|december|(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)/.test(
    lower,
  );
}

function isReadOperation(name: string): boolean {
  const operation = findOperation(name);
  return operation ? isRead(operation) : false;
}
