/**
 * The invoices a subscription issues: the first one at creation, the proration invoice of an `always_invoice`
 * change, and previews (create_preview) that are built the same way but never stored.
 */
import { addInterval, addLine, finalizeInvoice, payInvoice, recomputeTotals } from './billing.ts';
import { FakeError } from './errors.ts';
import type { StripeObject } from './fixtures.ts';
import { invoiceObject } from './invoice-objects.ts';
import { discountObject } from './objects.ts';
import type { DraftLine } from './proration.ts';
import type { FakeState } from './state.ts';

/** Builds a draft invoice of `lines` for the subscription (stored only when `store`). */
export function draftSubscriptionInvoice(
  state: FakeState,
  subscription: StripeObject,
  lines: DraftLine[],
  billingReason: string,
  options: { store: boolean; id?: string; created?: number },
): StripeObject {
  const customer = state.require('customer', subscription.customer);
  const periods = lines.filter((line) => !line.proration);
  const invoice = invoiceObject(state, customer, {
    id: options.id,
    created: options.created,
    billing_reason: billingReason,
    currency: subscription.currency,
    subscription: subscription.id,
    discounts: [...subscription.discounts],
    period_start: periods[0]?.period_start ?? lines[0]?.period_start,
    period_end: periods[0]?.period_end ?? lines[0]?.period_end,
  });
  for (const line of lines) addLine(state, invoice, line);
  recomputeTotals(state, invoice);
  if (options.store) {
    state.insert('invoice', invoice);
    state.emit('invoice.created', invoice);
    for (const line of lines) {
      const pending = (line as { invoice_item?: string }).invoice_item;
      const item = pending ? state.get('invoiceitem', pending) : undefined;
      if (item) item.invoice = invoice.id;
    }
  }
  return invoice;
}

/** Finalizes and charges a stored subscription invoice; a declined card leaves it open and returns false. */
export function collect(state: FakeState, invoice: StripeObject): boolean {
  finalizeInvoice(state, invoice);
  if (invoice.status === 'paid') return true;
  try {
    payInvoice(state, invoice);
    return true;
  } catch (error) {
    if (error instanceof FakeError && error.body.status === 402) return false;
    throw error;
  }
}

/** A preview as Stripe answers create_preview: the customer's credit applied, no id stored. */
export function asPreview(state: FakeState, invoice: StripeObject): StripeObject {
  const customer = state.require('customer', invoice.customer);
  const starting = customer.balance as number;
  const applied = invoice.total > 0 ? Math.min(invoice.total, Math.max(0, -starting)) : invoice.total;
  invoice.id = `upcoming_${invoice.id}`;
  invoice.starting_balance = starting;
  invoice.ending_balance = starting + applied;
  invoice.amount_due = Math.max(0, invoice.total - applied);
  invoice.amount_remaining = invoice.amount_due;
  invoice.lines.url = `/v1/invoices/upcoming/lines?subscription=${invoice.subscription}`;
  for (const line of invoice.lines.data) line.invoice = null;
  return invoice;
}

/** A discount of `couponId` on the subscription (404 for an unknown coupon; redemptions counted). */
export function newDiscount(
  state: FakeState,
  subscription: StripeObject,
  couponId: string,
  param: string,
): StripeObject {
  const coupon = state.require('coupon', couponId, param, 'coupon');
  const start = state.seconds();
  const end =
    coupon.duration === 'repeating' && coupon.duration_in_months
      ? addInterval(start, 'month', coupon.duration_in_months)
      : null;
  const discount = state.insert(
    'discount',
    discountObject(state, {
      coupon: coupon.id,
      customer: subscription.customer,
      subscription: subscription.id,
      start,
      end,
    }),
  );
  coupon.times_redeemed += 1;
  return discount;
}
