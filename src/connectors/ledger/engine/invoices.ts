/** Issuing invoices and taking payments, as pure state changes the ledger and the demo both persist. */
import {
  type BalanceTransaction,
  type BillingReason,
  type Charge,
  type Coupon,
  type Customer,
  externalPayment,
  type Invoice,
  type InvoiceLine,
} from '../../../domain/billing.ts';
import type { IdKind } from '../../../domain/ids.ts';
import { DUNNING_RETRY_DAYS, MAX_PAYMENT_ATTEMPTS, simulatePayment } from './payment-simulation.ts';
import { addDays } from './periods.ts';
import { couponDiscount, invoiceTotals } from './pricing.ts';

/** What the engine needs from its caller: ids and "now". */
export interface EngineClock {
  newId: (kind: IdKind) => string;
  now: Date;
}

/** A line before it belongs to an invoice. */
export type LineDraft = Omit<InvoiceLine, 'id' | 'invoiceId'>;

/** An issued invoice and what issuing it did to the customer's balance. */
export interface IssuedInvoice {
  invoice: Invoice;
  customer: Customer;
  balanceTransactions: BalanceTransaction[];
}

/**
 * Issues a finalized invoice: subtotal, coupon discount, tax on the discounted amount, then the customer's credit
 * balance applied. A negative total (a credit-only proration) goes to the balance and the invoice is paid at zero.
 */
export function issueInvoice(
  clock: EngineClock,
  input: {
    customer: Customer;
    number: string;
    subscriptionId: string | null;
    billingReason: BillingReason;
    lines: LineDraft[];
    coupon?: Coupon | null;
    periodStart?: Date | null;
    periodEnd?: Date | null;
    daysUntilDue?: number;
    memo?: string;
  },
): IssuedInvoice {
  const { customer, now } = { customer: input.customer, now: clock.now };
  const id = clock.newId('invoice');
  const lines: InvoiceLine[] = input.lines.map((line) => ({ ...line, id: clock.newId('invoiceLine'), invoiceId: id }));
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const discount = couponDiscount(input.coupon, subtotal, customer.currency);
  const totals = invoiceTotals(subtotal, discount, customer.taxRateBps);
  const {
    customer: charged,
    creditApplied,
    balanceTransactions,
  } = applyCustomerCredit(clock, customer, id, totals.total);
  const amountDue = Math.max(0, totals.total - creditApplied);
  const paid = amountDue === 0;
  const invoice: Invoice = {
    id,
    orgId: customer.orgId,
    number: input.number,
    customerId: customer.id,
    subscriptionId: input.subscriptionId,
    status: paid ? 'paid' : 'open',
    billingReason: input.billingReason,
    currency: customer.currency,
    lines,
    ...totals,
    creditApplied,
    amountPaid: 0,
    amountDue,
    amountRemaining: amountDue,
    periodStart: input.periodStart ?? null,
    periodEnd: input.periodEnd ?? null,
    dueDate: addDays(now, input.daysUntilDue ?? 0),
    createdAt: now,
    finalizedAt: now,
    paidAt: paid ? now : null,
    voidedAt: null,
    sentAt: null,
    attemptCount: 0,
    nextPaymentAttempt: null,
    memo: input.memo ?? '',
  };
  return { invoice, customer: charged, balanceTransactions };
}

/**
 * Applies a customer's credit balance (negative balance) to an invoice total; a negative total (a credit) goes
 * to the balance instead. Returns the changed customer, the credit applied and the balance transactions.
 */
export function applyCustomerCredit(
  clock: EngineClock,
  customer: Customer,
  invoiceId: string,
  total: number,
): { customer: Customer; creditApplied: number; balanceTransactions: BalanceTransaction[] } {
  const balanceTransactions: BalanceTransaction[] = [];
  let balance = customer.balance;
  let creditApplied = 0;
  const entry = (amount: number, description: string): BalanceTransaction => ({
    id: clock.newId('balanceTransaction'),
    orgId: customer.orgId,
    customerId: customer.id,
    amount,
    currency: customer.currency,
    description,
    invoiceId,
    createdAt: clock.now,
  });
  if (total > 0 && balance < 0) {
    creditApplied = Math.min(-balance, total);
    balance += creditApplied;
    balanceTransactions.push(entry(creditApplied, 'Applied to invoice'));
  }
  if (total < 0) {
    balance += total;
    balanceTransactions.push(entry(total, 'Credit from proration'));
  }
  return { customer: { ...customer, balance }, creditApplied, balanceTransactions };
}

/** The result of a payment attempt. */
export interface PaymentAttempt {
  invoice: Invoice;
  charge: Charge | null;
  /** True when this was the last attempt and it failed: the subscription should end. */
  exhausted: boolean;
}

/** Attempts a card payment of what an open invoice still asks (deterministic). */
export function attemptPayment(clock: EngineClock, invoice: Invoice, customer: Customer): PaymentAttempt {
  if (invoice.status !== 'open' || invoice.amountRemaining <= 0) return { invoice, charge: null, exhausted: false };
  if (!customer.paymentMethod)
    return { invoice: { ...invoice, nextPaymentAttempt: null }, charge: null, exhausted: false };
  const attempt = invoice.attemptCount + 1;
  const outcome = simulatePayment(customer, invoice.id, attempt, clock.now);
  const charge: Charge = {
    id: clock.newId('charge'),
    orgId: invoice.orgId,
    customerId: customer.id,
    invoiceId: invoice.id,
    amount: invoice.amountRemaining,
    currency: invoice.currency,
    status: outcome.ok ? 'succeeded' : 'failed',
    failureCode: outcome.ok ? null : outcome.code,
    failureMessage: outcome.ok ? null : outcome.message,
    cardBrand: customer.paymentMethod.brand,
    cardCountry: customer.paymentMethod.country,
    amountRefunded: 0,
    method: 'card',
    createdAt: clock.now,
  };
  if (outcome.ok) {
    return {
      invoice: {
        ...invoice,
        status: 'paid',
        amountPaid: invoice.amountPaid + charge.amount,
        amountRemaining: 0,
        paidAt: clock.now,
        attemptCount: attempt,
        nextPaymentAttempt: null,
      },
      charge,
      exhausted: false,
    };
  }
  const exhausted = attempt >= MAX_PAYMENT_ATTEMPTS;
  const retryDays = DUNNING_RETRY_DAYS[attempt - 1];
  return {
    invoice: {
      ...invoice,
      status: exhausted ? 'uncollectible' : 'open',
      attemptCount: attempt,
      nextPaymentAttempt: exhausted || retryDays === undefined ? null : addDays(clock.now, retryDays),
    },
    charge,
    exhausted,
  };
}

/** Records money received outside the card network against an open invoice. */
export function receivePayment(
  clock: EngineClock,
  invoice: Invoice,
  amount: number,
  reference: string,
): { invoice: Invoice; charge: Charge } {
  const charge = externalPayment(invoice, { id: clock.newId('charge'), amount, at: clock.now });
  const remaining = invoice.amountRemaining - amount;
  return {
    invoice: {
      ...invoice,
      amountPaid: invoice.amountPaid + amount,
      amountRemaining: remaining,
      status: remaining === 0 ? 'paid' : invoice.status,
      paidAt: remaining === 0 ? clock.now : invoice.paidAt,
      nextPaymentAttempt: remaining === 0 ? null : invoice.nextPaymentAttempt,
      memo: invoice.memo ? `${invoice.memo}\n${reference}` : reference,
    },
    charge,
  };
}
