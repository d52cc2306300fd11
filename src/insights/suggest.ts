/**
 * Suggested next steps (issue 21): each insight answer carries `suggestions`, drawn from its own figures, each a
 * write Leash could propose — `{ text, operation, input, why }`. A suggestion is only ever turned into a
 * *proposal* through the normal pipeline (chat "do the first one", the dashboard's button, POST the operation
 * and input to the propose endpoint), where the policy decides and a person confirms; nothing here executes.
 *
 * This module takes an insight's *result* (the shapes below are what the answers carry), so it does not depend
 * on how the figures are computed. Every input is checked against its operation's own schema; one that does
 * not pass is dropped, never repaired.
 */
import type { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Price, Product } from '../domain/billing.ts';
import { type Currency, formatMoney, isCurrency } from '../domain/money.ts';
import { bulkRetryInvoicesInput } from '../operations/bulk/bulk-operations.ts';
import { changePlanInput } from '../operations/change-plan.ts';
import { createRegionalDiscountsInput } from '../operations/create-regional-discounts.ts';
import { draftReplyInput } from '../operations/draft-reply.ts';
import { retryInvoiceInput } from '../operations/retry-invoice.ts';

/** One suggested next step: the write it would propose and why the figures point to it. */
export interface Suggestion {
  text: string;
  operation: SuggestedOperation;
  input: Record<string, unknown>;
  why: string;
}

/** The writes a suggestion may name, with the schema its input must pass. */
export const SUGGESTED_OPERATIONS = {
  bulk_retry_invoices: bulkRetryInvoicesInput,
  retry_invoice: retryInvoiceInput,
  draft_reply: draftReplyInput,
  change_plan: changePlanInput,
  create_regional_discounts: createRegionalDiscountsInput,
} satisfies Record<string, z.ZodType>;

/** An operation a suggestion may name. */
export type SuggestedOperation = keyof typeof SUGGESTED_OPERATIONS;

/** True when `name` is an operation suggestions may name. */
export function isSuggestedOperation(name: string): name is SuggestedOperation {
  return Object.hasOwn(SUGGESTED_OPERATIONS, name);
}

/** At most this many suggestions per answer. */
const MOST = 5;
/** Failure reasons that often pass on a later attempt (Stripe's Smart Retries retry these). */
const RETRYABLE = ['insufficient_funds', 'processing_error'] as const;
/** Failures a lower price can help with: the card works, the money is not there. */
const PRICE_RELATED = 'insufficient_funds';

const money = (amount: number, currency: string) =>
  isCurrency(currency) ? formatMoney({ amount, currency: currency as Currency }) : `${amount} ${currency}`;
const day = (value: Date | string) => new Date(value).toISOString().slice(0, 10);
const percent = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;

/** Keeps the suggestions whose input passes its operation's schema, at most MOST. */
function checked(suggestions: readonly Suggestion[]): Suggestion[] {
  return suggestions
    .filter((suggestion) => SUGGESTED_OPERATIONS[suggestion.operation].safeParse(suggestion.input).success)
    .slice(0, MOST);
}

// ---- payment_failure_rates --------------------------------------------------------------------------------

/** What suggestions read of a payment_failure_rates answer. */
export interface FailuresResult {
  window: { from: Date | string; until: Date | string; label: string };
  overall: { attempts: number; failed: number; rate: number };
  regions: {
    country: string;
    attempts: number;
    failed: number;
    rate: number;
    changePoints: number;
    reasons: Record<string, number>;
  }[];
}

/**
 * Per customer country, the invoices still open (something left to collect) whose payment failed in the window
 * for a retryable reason, with those failures by reason: what a retry of that country would collect. A region
 * whose retryable failures have all been paid since has nothing to retry.
 */
async function openRetryableByCountry(
  window: FailuresResult['window'],
  connector: BillingConnector,
): Promise<Map<string, { invoices: Set<string>; reasons: Record<string, number> }>> {
  const byCountry = new Map<string, { invoices: Set<string>; reasons: Record<string, number> }>();
  const rows = await connector.openFailedInvoices({
    from: new Date(window.from),
    until: new Date(window.until),
    failureCodes: RETRYABLE,
  });
  for (const row of rows) {
    if (!row.country) continue;
    const entry = byCountry.get(row.country) ?? { invoices: new Set<string>(), reasons: {} };
    entry.invoices.add(row.invoiceId);
    entry.reasons[row.failureCode] = (entry.reasons[row.failureCode] ?? 0) + row.failures;
    byCountry.set(row.country, entry);
  }
  return byCountry;
}

/**
 * Retry, in the region with the most open invoices that failed for a retryable reason, what failed there (the
 * job is for that country only); a regional discount where failures are about money.
 */
export async function suggestForFailures(result: FailuresResult, connector: BillingConnector): Promise<Suggestion[]> {
  const suggestions: Suggestion[] = [];
  const failures = new Map(
    result.regions.map((region) => [
      region.country,
      RETRYABLE.reduce((sum, code) => sum + (region.reasons[code] ?? 0), 0),
    ]),
  );
  const open = await openRetryableByCountry(result.window, connector);
  const [top] = [...open]
    .map(([country, entry]) => ({ country, ...entry, failures: failures.get(country) ?? 0 }))
    .sort((a, b) => b.invoices.size - a.invoices.size || b.failures - a.failures || a.country.localeCompare(b.country));
  if (top) {
    const until = new Date(new Date(result.window.until).getTime() - 1);
    const { country } = top;
    const reasons = RETRYABLE.filter((code) => (top.reasons[code] ?? 0) > 0)
      .map((code) => `${top.reasons[code]} ${code.replace('_', ' ')}`)
      .join(', ');
    const invoices = `${top.invoices.size} invoice${top.invoices.size === 1 ? '' : 's'}`;
    suggestions.push({
      text: `Retry the open invoices of customers in ${country} whose card payment failed in ${result.window.label} (${country} has the most left open after a failure that often passes later: ${invoices}; ${reasons})`,
      operation: 'bulk_retry_invoices',
      input: {
        from: day(result.window.from),
        to: day(until),
        country,
        reason: `Suggested by payment_failure_rates: ${invoices} in ${country} failed for reasons that often pass on a later attempt`,
      },
      why: `Insufficient funds and processing errors often clear on a later attempt; ${country} had ${top.failures} such failure${top.failures === 1 ? '' : 's'} in ${result.window.label}, and ${invoices} that failed so ${top.invoices.size === 1 ? 'is' : 'are'} still open. The job retries only invoices of customers in ${country} (every open one whose card payment failed in the window), and lists each before anyone approves it.`,
    });
  }
  const overallRate = result.overall.rate;
  const priceRelated = result.regions
    .filter((region) => {
      const short = region.reasons[PRICE_RELATED] ?? 0;
      const topReason = Object.entries(region.reasons).sort((a, b) => b[1] - a[1])[0]?.[0];
      return (
        region.failed >= 5 && short > 0 && topReason === PRICE_RELATED && region.rate >= Math.max(0.05, overallRate)
      );
    })
    .sort((a, b) => b.rate - a.rate || a.country.localeCompare(b.country))
    .slice(0, 3);
  if (priceRelated.length > 0) {
    const discounts = priceRelated.map((region) => ({
      country: region.country,
      percent_off: region.rate >= 0.08 ? 30 : 20,
    }));
    suggestions.push({
      text: `Offer a regional discount in ${discounts.map((entry) => `${entry.country} (${entry.percent_off}% off)`).join(', ')}`,
      operation: 'create_regional_discounts',
      input: {
        discounts,
        duration: 'forever',
        reason: `Suggested by payment_failure_rates: insufficient funds is the main failure reason in ${discounts.map((entry) => entry.country).join(', ')}`,
      },
      why: priceRelated
        .map(
          (region) =>
            `${region.country}: ${percent(region.rate)} of ${region.attempts} card payments failed (overall ${percent(overallRate)}), most for insufficient funds (${region.reasons[PRICE_RELATED]}).`,
        )
        .join(' '),
    });
  }
  return checked(suggestions);
}

// ---- involuntary_churn ------------------------------------------------------------------------------------

/** What suggestions read of an involuntary_churn answer. */
export interface ChurnResult {
  currency: string;
  lost: { subscriptionId: string; customerId: string; endedAt: Date | string; currency: string; mrr: number }[];
}

/** Reach out to the accounts that took the most MRR when their payments failed (a draft reply each). */
export async function suggestForChurn(result: ChurnResult, connector: BillingConnector): Promise<Suggestion[]> {
  const top = [...result.lost]
    .sort((a, b) => b.mrr - a.mrr || a.customerId.localeCompare(b.customerId))
    .filter((row, index, rows) => rows.findIndex((other) => other.customerId === row.customerId) === index)
    .slice(0, 3);
  const customers = new Map((await connector.getCustomers(top.map((row) => row.customerId))).map((c) => [c.id, c]));
  const suggestions: Suggestion[] = [];
  for (const row of top) {
    const customer = customers.get(row.customerId);
    if (!customer) continue;
    suggestions.push({
      text: `Reach out to ${customer.name}: their subscription (${money(row.mrr, row.currency)} MRR) ended on ${day(row.endedAt)} after payments failed`,
      operation: 'draft_reply',
      input: {
        customer: customer.id,
        subject: 'Your subscription ended after a failed payment',
        body: `Hello ${customer.name},\n\nYour subscription ended on ${day(row.endedAt)} because we could not collect the payment for it. If you would like to keep using the service, reply to this message and we will help you update your payment details and restart it.\n\nBest regards`,
        reason: `Suggested by involuntary_churn: ${customer.name} was lost to failed payments with ${money(row.mrr, row.currency)} MRR`,
      },
      why: `One of the ${result.lost.length} subscriptions lost to failed payments, and among the largest by MRR; the reply is only drafted (nothing is sent) and the draft card shows every promise it makes.`,
    });
  }
  return checked(suggestions);
}

// ---- overdue_summary --------------------------------------------------------------------------------------

/** What suggestions read of an overdue_summary answer. */
export interface OverdueResult {
  customers: { customerId: string; name: string; currency: string; amount: number; daysOverdue: number }[];
}

/** Chase the oldest overdue invoices: retry the oldest one's payment, draft a reminder. */
export async function suggestForOverdue(result: OverdueResult, connector: BillingConnector): Promise<Suggestion[]> {
  const oldest = [...result.customers]
    .sort((a, b) => b.daysOverdue - a.daysOverdue || b.amount - a.amount || a.customerId.localeCompare(b.customerId))
    .slice(0, 2);
  const suggestions: Suggestion[] = [];
  for (const row of oldest) {
    const [invoice] = await connector.listInvoices({ customerId: row.customerId, overdue: true, limit: 1 });
    if (!invoice) continue;
    const owed = money(invoice.amountRemaining, invoice.currency);
    suggestions.push({
      text: `Retry payment of ${row.name}'s invoice ${invoice.number} (${owed}, ${row.daysOverdue} days overdue)`,
      operation: 'retry_invoice',
      input: {
        invoice_id: invoice.id,
        reason: `Suggested by overdue_summary: ${invoice.number} is ${row.daysOverdue} days overdue`,
      },
      why: `${row.name} has the oldest overdue invoice${oldest.length > 1 ? 's' : ''} (${money(row.amount, row.currency)} past due in all); a retry charges the card on file once.`,
    });
    suggestions.push({
      text: `Remind ${row.name} about invoice ${invoice.number} (${owed})`,
      operation: 'draft_reply',
      input: {
        customer: row.customerId,
        subject: `Invoice ${invoice.number} is overdue`,
        body: `Hello ${row.name},\n\nInvoice ${invoice.number} for ${owed} is ${row.daysOverdue} days past its due date. Could you let us know when we can expect payment, or reply if anything about it looks wrong?\n\nBest regards`,
        reason: `Suggested by overdue_summary: ${invoice.number} is ${row.daysOverdue} days overdue`,
      },
      why: `${row.daysOverdue} days overdue; the reminder is only drafted (nothing is sent).`,
    });
  }
  return checked(suggestions);
}

// ---- usage_against_limits ---------------------------------------------------------------------------------

/** What suggestions read of a usage_against_limits answer. */
export interface UsageResult {
  period: 'current' | 'previous';
  /** The customer the answer is about (null or absent: org-wide). */
  customerId?: string | null;
  subscriptions: {
    subscriptionId: string;
    customerId: string;
    customerName?: string;
    limit: string;
    used: number;
    allowed: number;
  }[];
}

/** One subscription's usage of one metric in a period (a usage_against_limits row). */
type UsageRow = UsageResult['subscriptions'][number];

/** How the two periods compared read, by how many periods back the later one is. */
const PERIOD_PAIRS = ['this period and the one before', 'the last two complete periods'] as const;

/** The cheapest active plan price in `price`'s currency and interval whose limits fit every usage given. */
function planThatFits(
  usage: Map<string, number>,
  current: Price,
  products: readonly Product[],
  prices: readonly Price[],
): { product: Product; price: Price } | undefined {
  const fits = (product: Product) =>
    [...usage].every(([metric, used]) => {
      const allowed = product.limits[metric];
      return allowed === null || (allowed !== undefined && allowed >= used);
    });
  return prices
    .filter(
      (price) =>
        price.active &&
        price.id !== current.id &&
        price.productId !== current.productId &&
        price.currency === current.currency &&
        price.interval === current.interval &&
        price.usageMetric === null &&
        price.unitAmount > current.unitAmount,
    )
    .flatMap((price) => {
      const product = products.find((candidate) => candidate.id === price.productId);
      return product?.active && !product.legacy && fits(product) ? [{ product, price }] : [];
    })
    .sort((a, b) => a.price.unitAmount - b.price.unitAmount || a.price.id.localeCompare(b.price.id))[0];
}

/**
 * The two periods to compare and their rows over a limit: the answer's own period and the one before it; when the
 * answer is about the current period and nobody is over yet (usage is often recorded as a period closes), the
 * last two complete periods instead, so an empty current period does not hide a customer over every month.
 */
async function periodsToCompare(
  result: UsageResult,
  connector: BillingConnector,
): Promise<{ later: UsageRow[]; earlier: UsageRow[]; back: number }> {
  const read = (periodsBack: number) =>
    connector.usageAgainstLimits({
      ...(result.customerId ? { customerId: result.customerId } : {}),
      previous: periodsBack > 0,
      periodsBack,
      minShare: 1,
      limit: 1000,
    });
  let back = result.period === 'current' ? 0 : 1;
  let later: UsageRow[] = result.subscriptions.filter((row) => row.used > row.allowed);
  if (later.length === 0 && back === 0) {
    back = 1;
    later = (await read(1)).filter((row) => row.used > row.allowed);
  }
  if (later.length === 0) return { later, earlier: [], back };
  const earlier = (await read(back + 1)).filter((row) => row.used > row.allowed);
  return { later, earlier, back };
}

/**
 * Move subscriptions over a limit in two periods running (persistently, not a one-off spike) to the cheapest plan
 * whose limits fit their usage: this period and the one before, or, while nobody is over in the current period
 * yet, the last two complete periods.
 */
export async function suggestForUsage(result: UsageResult, connector: BillingConnector): Promise<Suggestion[]> {
  const { later, earlier, back } = await periodsToCompare(result, connector);
  const overBefore = new Set(earlier.map((row) => row.subscriptionId));
  const persistent = later.filter((row) => overBefore.has(row.subscriptionId));
  if (persistent.length === 0) return [];
  const pair = PERIOD_PAIRS[Math.min(back, 1)];
  const [products, prices, customers] = await Promise.all([
    connector.listProducts(),
    connector.listPrices(),
    connector.getCustomers([...new Set(persistent.map((row) => row.customerId))]),
  ]);
  const names = new Map(customers.map((customer) => [customer.id, customer.name]));
  const suggestions: Suggestion[] = [];
  const seen = new Set<string>();
  for (const row of persistent) {
    if (seen.has(row.subscriptionId) || suggestions.length >= MOST) continue;
    seen.add(row.subscriptionId);
    const subscription = await connector.getSubscription(row.subscriptionId);
    const item = subscription?.items.find((entry) => prices.some((price) => price.id === entry.priceId));
    const current = prices.find((price) => price.id === item?.priceId);
    if (!subscription || !current) continue;
    // The larger of the two periods' use of each metric.
    const usage = new Map<string, number>();
    for (const entry of [...later, ...earlier])
      if (entry.subscriptionId === row.subscriptionId)
        usage.set(entry.limit, Math.max(usage.get(entry.limit) ?? 0, entry.used));
    const fit = planThatFits(usage, current, products, prices);
    if (!fit) continue;
    const name = row.customerName ?? names.get(row.customerId) ?? row.customerId;
    const from = products.find((product) => product.id === current.productId)?.name ?? current.productId;
    const before = earlier.find((entry) => entry.subscriptionId === row.subscriptionId && entry.limit === row.limit);
    const count = (n: number) => n.toLocaleString('en-US');
    suggestions.push({
      text: `Move ${name} from ${from} to ${fit.product.name} (${money(fit.price.unitAmount, fit.price.currency)} a ${fit.price.interval ?? 'period'})`,
      operation: 'change_plan',
      input: {
        subscription_id: subscription.id,
        price_id: fit.price.id,
        reason: `Suggested by usage_against_limits: over the ${row.limit} limit in ${pair}`,
      },
      why: `${name} used ${count(row.used)} ${row.limit} against ${from}'s ${count(row.allowed)} in ${back === 0 ? 'this period' : 'the last complete period'}${before ? `, and ${count(before.used)} in the one before` : ''}; ${fit.product.name} is the cheapest plan whose limits fit. The change card shows the exact proration.`,
    });
  }
  return checked(suggestions);
}

/** The suggestion step of each insight operation, by name. */
export const SUGGESTERS: Readonly<
  Record<string, (result: unknown, connector: BillingConnector) => Promise<Suggestion[]> | Suggestion[]>
> = {
  payment_failure_rates: (result, connector) => suggestForFailures(result as FailuresResult, connector),
  involuntary_churn: (result, connector) => suggestForChurn(result as ChurnResult, connector),
  overdue_summary: (result, connector) => suggestForOverdue(result as OverdueResult, connector),
  usage_against_limits: (result, connector) => suggestForUsage(result as UsageResult, connector),
};
