/**
 * Stripe objects → Leash's billing records, for the mirror. Accepts the API version the SDK pins (invoices point
 * to their subscription under `parent`, lines to their price under `pricing`, periods live on subscription items)
 * and the older shapes a webhook endpoint pinned to an earlier version still sends.
 *
 * What Stripe has no field for travels in metadata, written by Leash and readable by anyone:
 * `leash_tax_rate_bps`, `leash_currency` (customer), `leash_limits` (JSON), `leash_overage`, `leash_legacy` (product), `leash_scheme`
 * = `flat`, `leash_usage_metric`, `leash_free_allowance`, `leash_trial_days` (price), `leash_code`, `leash_countries` (coupon), `leash_sent_at` (invoice, seconds),
 * `leash_reason` (refund). Without them a plan has no limits, a coupon's code is its id, and so on.
 */
import type {
  Address,
  BalanceTransaction,
  BillingReason,
  Charge,
  Coupon,
  CreditNote,
  Customer,
  FailureCode,
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  PaymentMethod,
  Price,
  PriceTier,
  Product,
  Refund,
  Subscription,
  SubscriptionStatus,
} from '../../domain/billing.ts';
import { type Currency, isCurrency } from '../../domain/money.ts';

/** A Stripe object as it arrives on the wire (JSON). */
export type StripeObject = { id: string; object: string } & Record<string, unknown>;

/** The object types the mirror keeps, by Stripe's `object` name. */
export const MIRRORED_OBJECTS = [
  'customer',
  'product',
  'price',
  'coupon',
  'subscription',
  'invoice',
  'charge',
  'refund',
  'credit_note',
  'customer_balance_transaction',
] as const;
/** A mirrored object type. */
export type MirroredObject = (typeof MIRRORED_OBJECTS)[number];

const FAILURE_CODES: readonly FailureCode[] = [
  'expired_card',
  'insufficient_funds',
  'card_declined',
  'fraudulent',
  'processing_error',
];
const CARD_BRANDS: readonly PaymentMethod['brand'][] = ['visa', 'mastercard', 'amex', 'rupay', 'elo', 'discover'];

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
function instant(seconds: unknown): Date | null {
  return typeof seconds === 'number' ? new Date(seconds * 1000) : null;
}
function created(object: Record<string, unknown>): Date {
  return instant(object.created) ?? new Date(0);
}
/** An id, whether the field holds it or an expanded object. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return text(record(value).id);
}
function list(value: unknown): Record<string, unknown>[] {
  const data = Array.isArray(value) ? value : record(value).data;
  return Array.isArray(data) ? data.map(record) : [];
}
function currencyOf(value: unknown, fallback: Currency = 'usd'): Currency {
  const code = typeof value === 'string' ? value.toLowerCase() : '';
  return isCurrency(code) ? code : fallback;
}
function metadata(object: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(object.metadata))) if (typeof value === 'string') out[key] = value;
  return out;
}
/** Metadata without Leash's own keys (those are shown as fields). */
function userMetadata(object: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata(object)).filter(([key]) => !key.startsWith('leash_')));
}

function addressOf(value: unknown): Address {
  const address = record(value);
  const out: Address = {};
  const put = (key: keyof Address, from: string) => {
    const field = text(address[from]);
    if (field) out[key] = field;
  };
  put('line1', 'line1');
  put('line2', 'line2');
  put('city', 'city');
  put('postalCode', 'postal_code');
  put('state', 'state');
  put('country', 'country');
  return out;
}

function paymentMethodOf(value: unknown): PaymentMethod | null {
  const card = record(record(value).card);
  const brand = text(card.brand) as PaymentMethod['brand'] | null;
  if (!brand || !CARD_BRANDS.includes(brand)) return null;
  return {
    brand,
    last4: text(card.last4) ?? '0000',
    expMonth: num(card.exp_month, 1),
    expYear: num(card.exp_year, 2000),
    country: text(card.country) ?? '',
  };
}

/** A Stripe customer (deleted ones arrive as `{ id, deleted: true }`; the caller keeps what it had). */
export function customerOf(object: StripeObject, orgId: string): Customer {
  const address = addressOf(object.address);
  const meta = metadata(object);
  return {
    id: object.id,
    orgId,
    name: text(object.name) ?? text(object.email) ?? object.id,
    email: text(object.email) ?? '',
    country: address.country ?? '',
    address,
    metadata: userMetadata(object),
    // Stripe sets a customer's currency at its first invoice; until then Leash's choice is in metadata.
    currency: currencyOf(object.currency ?? meta.leash_currency),
    balance: num(object.balance),
    paymentMethod: paymentMethodOf(record(object.invoice_settings).default_payment_method),
    taxRateBps: Number.parseInt(meta.leash_tax_rate_bps ?? '0', 10) || 0,
    createdAt: created(object),
    deletedAt: object.deleted === true ? new Date() : null,
  };
}

function limitsOf(raw: string | undefined): Product['limits'] {
  if (!raw) return {};
  try {
    const parsed = record(JSON.parse(raw));
    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, typeof value === 'number' ? value : null]),
    );
  } catch {
    return {};
  }
}

/** A Stripe product: a plan or an add-on. */
export function productOf(object: StripeObject, orgId: string): Product {
  const meta = metadata(object);
  return {
    id: object.id,
    orgId,
    name: text(object.name) ?? object.id,
    description: text(object.description) ?? '',
    limits: limitsOf(meta.leash_limits),
    overage: meta.leash_overage ?? '',
    legacy: meta.leash_legacy === 'true',
    active: object.active !== false && object.deleted !== true,
    createdAt: created(object),
  };
}

function tiersOf(value: unknown): PriceTier[] {
  return list(value).map((tier) => ({
    upTo: typeof tier.up_to === 'number' ? tier.up_to : null,
    unitAmount: num(tier.unit_amount),
    flatAmount: num(tier.flat_amount),
  }));
}

/** A Stripe price. */
export function priceOf(object: StripeObject, orgId: string): Price {
  const meta = metadata(object);
  const recurring = object.recurring ? record(object.recurring) : null;
  const interval = text(recurring?.interval);
  const metered = recurring?.usage_type === 'metered';
  return {
    id: object.id,
    orgId,
    productId: idOf(object.product) ?? '',
    nickname: text(object.nickname) ?? '',
    currency: currencyOf(object.currency),
    interval: interval === 'month' || interval === 'year' ? interval : null,
    scheme: object.billing_scheme === 'tiered' ? 'tiered' : meta.leash_scheme === 'flat' ? 'flat' : 'per_unit',
    unitAmount: num(object.unit_amount),
    tiers: tiersOf(object.tiers),
    usageMetric: metered ? (meta.leash_usage_metric ?? idOf(recurring?.meter) ?? 'usage') : null,
    freeAllowance: Number.parseInt(meta.leash_free_allowance ?? '0', 10) || 0,
    trialDays: num(recurring?.trial_period_days) || Number.parseInt(meta.leash_trial_days ?? '0', 10) || 0,
    active: object.active !== false && object.deleted !== true,
    createdAt: created(object),
  };
}

/** A Stripe coupon. */
export function couponOf(object: StripeObject, orgId: string): Coupon {
  const meta = metadata(object);
  const percent = typeof object.percent_off === 'number' ? object.percent_off : null;
  return {
    id: object.id,
    orgId,
    code: meta.leash_code ?? object.id,
    name: text(object.name) ?? object.id,
    percentOffBps: percent === null ? null : Math.round(percent * 100),
    amountOff: percent === null ? num(object.amount_off) : null,
    currency: object.currency ? currencyOf(object.currency) : null,
    duration: object.duration === 'once' || object.duration === 'repeating' ? object.duration : 'forever',
    durationInMonths: typeof object.duration_in_months === 'number' ? object.duration_in_months : null,
    countries: (meta.leash_countries ?? '')
      .split(',')
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    maxRedemptions: typeof object.max_redemptions === 'number' ? object.max_redemptions : null,
    timesRedeemed: num(object.times_redeemed),
    valid: object.valid !== false && object.deleted !== true,
    createdAt: created(object),
  };
}

/** Stripe's subscription states in Leash's five: incomplete ones have not paid, paused ones do not bill. */
function subscriptionStatus(status: unknown): SubscriptionStatus {
  switch (status) {
    case 'trialing':
    case 'active':
    case 'past_due':
    case 'canceled':
    case 'unpaid':
      return status;
    case 'incomplete':
      return 'past_due';
    case 'incomplete_expired':
      return 'canceled';
    case 'paused':
      return 'unpaid';
    default:
      return 'active';
  }
}

/** The coupon of a subscription's first discount (an id, or an expanded discount of either API shape). */
function discountOf(object: Record<string, unknown>): { couponId: string | null; end: Date | null } {
  const first = Array.isArray(object.discounts) ? object.discounts[0] : object.discount;
  if (!first) return { couponId: null, end: null };
  if (typeof first === 'string') return { couponId: null, end: null };
  const discount = record(first);
  const couponId = idOf(record(discount.source).coupon) ?? idOf(discount.coupon);
  return { couponId, end: instant(discount.end) };
}

/** A Stripe subscription and its items. `knownCoupon` keeps the coupon when only a discount id arrived. */
export function subscriptionOf(object: StripeObject, orgId: string, knownCoupon?: string | null): Subscription {
  const items = list(object.items);
  const first = items[0] ?? {};
  const start = instant(first.current_period_start) ?? instant(object.current_period_start) ?? created(object);
  const end = instant(first.current_period_end) ?? instant(object.current_period_end) ?? start;
  const discount = discountOf(object);
  const firstDiscount = Array.isArray(object.discounts) ? object.discounts[0] : object.discount;
  const details = record(object.cancellation_details);
  const currency = currencyOf(object.currency ?? record(first.price).currency);
  return {
    id: object.id,
    orgId,
    customerId: idOf(object.customer) ?? '',
    status: subscriptionStatus(object.status),
    currency,
    items: items.map((item) => ({
      id: text(item.id) ?? '',
      subscriptionId: object.id,
      priceId: idOf(item.price) ?? '',
      quantity: num(item.quantity, 1),
    })),
    currentPeriodStart: start,
    currentPeriodEnd: end,
    billingAnchor: instant(object.billing_cycle_anchor) ?? start,
    trialEnd: instant(object.trial_end),
    cancelAtPeriodEnd: object.cancel_at_period_end === true,
    canceledAt: instant(object.canceled_at),
    endedAt: instant(object.ended_at),
    cancellationReason: text(details.comment) ?? text(details.reason),
    couponId: discount.couponId ?? (typeof firstDiscount === 'string' ? (knownCoupon ?? null) : null),
    discountEnd: discount.end,
    createdAt: created(object),
  };
}

const BILLING_REASONS: readonly BillingReason[] = [
  'subscription_create',
  'subscription_cycle',
  'subscription_update',
  'manual',
];

/** The subscription an invoice or line belongs to, in either API shape. */
function subscriptionIdOf(object: Record<string, unknown>): string | null {
  const parent = record(object.parent);
  return (
    idOf(record(parent.subscription_details).subscription) ??
    idOf(record(parent.subscription_item_details).subscription) ??
    idOf(object.subscription)
  );
}

/** Stripe gives one-off invoices and items a period that starts and ends at once: no service period. */
function servicePeriod(start: unknown, end: unknown): { start: Date | null; end: Date | null } {
  if (typeof start !== 'number' || typeof end !== 'number' || start === end) return { start: null, end: null };
  return { start: instant(start), end: instant(end) };
}

function lineOf(line: Record<string, unknown>, invoiceId: string): InvoiceLine {
  const parent = record(line.parent);
  const priceId =
    idOf(record(record(line.pricing).price_details).price) ?? idOf(line.price) ?? idOf(record(line.plan).id);
  const proration =
    record(parent.subscription_item_details).proration === true ||
    record(parent.invoice_item_details).proration === true ||
    line.proration === true;
  const period = servicePeriod(record(line.period).start, record(line.period).end);
  return {
    id: text(line.id) ?? '',
    invoiceId,
    description: text(line.description) ?? '',
    amount: num(line.amount),
    quantity: num(line.quantity, 1),
    priceId,
    periodStart: period.start,
    periodEnd: period.end,
    proration,
  };
}

/** The payment intents that paid an invoice (its expanded `payments`, or the older `payment_intent`). */
export function invoicePaymentIntents(object: StripeObject): string[] {
  const intents = list(object.payments)
    .map((payment) => idOf(record(payment.payment).payment_intent))
    .filter((id): id is string => Boolean(id));
  const legacy = idOf(object.payment_intent);
  return legacy ? [...intents, legacy] : intents;
}

/** A Stripe invoice with its lines (the first page of them: up to the 10 Stripe embeds, or all when expanded). */
export function invoiceOf(object: StripeObject, orgId: string): Invoice {
  const status = text(object.status) as InvoiceStatus | null;
  const transitions = record(object.status_transitions);
  const sum = (entries: unknown) => list(entries).reduce((total, entry) => total + num(entry.amount), 0);
  const total = num(object.total);
  const amountDue = num(object.amount_due);
  const reason = text(object.billing_reason) as BillingReason | null;
  const period = servicePeriod(object.period_start, object.period_end);
  const sentAt = Number.parseInt(metadata(object).leash_sent_at ?? '', 10);
  return {
    id: object.id,
    orgId,
    number: text(object.number) ?? object.id,
    customerId: idOf(object.customer) ?? '',
    subscriptionId: subscriptionIdOf(object),
    status: status ?? 'draft',
    billingReason: reason && BILLING_REASONS.includes(reason) ? reason : 'manual',
    currency: currencyOf(object.currency),
    lines: list(object.lines).map((line) => lineOf(line, object.id)),
    subtotal: num(object.subtotal),
    discount: sum(object.total_discount_amounts),
    tax: Array.isArray(object.total_taxes) ? sum(object.total_taxes) : num(object.tax),
    total,
    creditApplied: Math.max(0, total - amountDue),
    amountPaid: num(object.amount_paid),
    amountDue,
    // Nothing is owed on a void invoice, whatever amount it last asked for.
    amountRemaining: status === 'void' ? 0 : num(object.amount_remaining),
    periodStart: period.start,
    periodEnd: period.end,
    dueDate: instant(object.due_date),
    createdAt: created(object),
    finalizedAt: instant(transitions.finalized_at),
    paidAt: instant(transitions.paid_at),
    voidedAt: instant(transitions.voided_at),
    // Stripe keeps no "sent" time: Leash records its own sends in metadata; `invoice.sent` events fill it too.
    sentAt: Number.isFinite(sentAt) ? new Date(sentAt * 1000) : null,
    attemptCount: num(object.attempt_count),
    nextPaymentAttempt: instant(object.next_payment_attempt),
    memo: text(object.description) ?? '',
  };
}

/** A Stripe charge; `invoiceId` comes from the mirror's invoices by payment intent. Pending charges → null. */
export function chargeOf(object: StripeObject, orgId: string, invoiceId: string | null): Charge | null {
  if (object.status !== 'succeeded' && object.status !== 'failed') return null;
  const details = record(object.payment_method_details);
  const card = record(details.card);
  const failure = text(object.failure_code) as FailureCode | null;
  const amount = num(object.amount);
  if (amount <= 0) return null;
  return {
    id: object.id,
    orgId,
    customerId: idOf(object.customer) ?? '',
    invoiceId: idOf(object.invoice) ?? invoiceId,
    amount,
    currency: currencyOf(object.currency),
    status: object.status,
    failureCode: failure ? (FAILURE_CODES.includes(failure) ? failure : 'card_declined') : null,
    failureMessage: text(object.failure_message),
    cardBrand: text(card.brand),
    cardCountry: text(card.country),
    amountRefunded: Math.min(amount, num(object.amount_refunded)),
    method: details.type === 'card' || !details.type ? 'card' : 'external',
    createdAt: created(object),
  };
}

/** A Stripe refund; failed and canceled ones returned nothing → null. */
export function refundOf(object: StripeObject, orgId: string): Refund | null {
  if (object.status === 'failed' || object.status === 'canceled') return null;
  const meta = metadata(object);
  return {
    id: object.id,
    orgId,
    chargeId: idOf(object.charge) ?? '',
    amount: num(object.amount),
    currency: currencyOf(object.currency),
    reason: meta.leash_reason ?? text(object.reason) ?? '',
    createdAt: created(object),
  };
}

/** A Stripe credit note. */
export function creditNoteOf(object: StripeObject, orgId: string): CreditNote {
  return {
    id: object.id,
    orgId,
    invoiceId: idOf(object.invoice) ?? '',
    customerId: idOf(object.customer) ?? '',
    amount: num(object.amount) || num(object.total),
    currency: currencyOf(object.currency),
    reason: text(object.memo) ?? text(object.reason) ?? '',
    createdAt: created(object),
  };
}

/** A change of a customer's Stripe balance. */
export function balanceTransactionOf(object: StripeObject, orgId: string): BalanceTransaction {
  return {
    id: object.id,
    orgId,
    customerId: idOf(object.customer) ?? '',
    amount: num(object.amount),
    currency: currencyOf(object.currency),
    description: text(object.description) ?? '',
    invoiceId: idOf(object.invoice),
    createdAt: created(object),
  };
}
