/**
 * Stripe's billing objects → Leash's records, for the mirror: subscriptions, invoices and their lines, charges,
 * refunds, credit notes and balance changes (customers and the catalogue are in stripe-objects.ts, with the
 * field helpers both use). Both the API version the SDK pins and the older shapes webhooks may carry are read.
 */
import type {
  BalanceTransaction,
  BillingReason,
  Charge,
  CreditNote,
  FailureCode,
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  Refund,
  Subscription,
  SubscriptionStatus,
} from '../../domain/billing.ts';
import {
  created,
  currencyOf,
  idOf,
  instant,
  list,
  metadata,
  num,
  record,
  type StripeObject,
  text,
} from './stripe-objects.ts';

const FAILURE_CODES: readonly FailureCode[] = [
  'expired_card',
  'insufficient_funds',
  'card_declined',
  'fraudulent',
  'processing_error',
];

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
