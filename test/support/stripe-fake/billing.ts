/**
 * The fake's billing rules, Stripe-like and deterministic: price amounts, invoice totals with a coupon and the
 * customer's credit balance, finalization, payment (a card that succeeds unless the customer's metadata says
 * `fake_card=declined`), and periods.
 */
import { cardDeclined, FakeError, invalidRequest } from './errors.ts';
import type { StripeObject } from './fixtures.ts';
import { lineObject } from './invoice-objects.ts';
import { balanceTransactionObject, chargeObject, invoicePaymentObject, paymentIntentObject } from './money-objects.ts';
import type { FakeState } from './state.ts';

const DAY_SECONDS = 86_400;

/** `seconds` plus `count` calendar months or years (UTC), the day clamped to the month's last. */
export function addInterval(seconds: number, interval: string, count = 1): number {
  const date = new Date(seconds * 1000);
  if (interval === 'day') return seconds + count * DAY_SECONDS;
  if (interval === 'week') return seconds + count * 7 * DAY_SECONDS;
  const months = interval === 'year' ? 12 * count : count;
  const target = new Date(date.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}

/** Graduated tiers: each unit at the tier it falls in, a tier's flat amount once when reached. */
function graduated(tiers: StripeObject[], units: number): number {
  let left = units;
  let floor = 0;
  let total = 0;
  for (const tier of tiers) {
    if (left <= 0) break;
    const size = tier.up_to === null ? left : Math.max(0, tier.up_to - floor);
    const inTier = Math.min(left, size);
    if (inTier > 0) total += inTier * (tier.unit_amount ?? 0) + (tier.flat_amount ?? 0);
    left -= inTier;
    if (tier.up_to !== null) floor = tier.up_to;
  }
  return total;
}

/** What `quantity` of `price` costs for one period (metered prices bill on use: 0 ahead of time). */
export function priceAmount(price: StripeObject, quantity: number): number {
  if (price.recurring?.usage_type === 'metered') return 0;
  if (price.billing_scheme === 'tiered') {
    const tiers = (price.tiers ?? []) as StripeObject[];
    if (price.tiers_mode === 'volume') {
      const tier = tiers.find((candidate) => candidate.up_to === null || quantity <= candidate.up_to);
      return tier ? quantity * (tier.unit_amount ?? 0) + (tier.flat_amount ?? 0) : 0;
    }
    return graduated(tiers, quantity);
  }
  // Leash's flat prices bill one unit whatever the quantity.
  const units = price.metadata?.leash_scheme === 'flat' ? Math.max(1, quantity) : quantity;
  return (price.unit_amount ?? 0) * units;
}

/** Stripe rounds a percentage discount half up to the minor unit. */
export function couponDiscount(coupon: StripeObject | undefined, subtotal: number, currency: string): number {
  if (!coupon || subtotal <= 0) return 0;
  if (coupon.percent_off !== null && coupon.percent_off !== undefined)
    return Math.min(subtotal, Math.round((subtotal * coupon.percent_off) / 100));
  if (coupon.amount_off !== null && coupon.currency === currency) return Math.min(subtotal, coupon.amount_off);
  return 0;
}

/** The coupon behind a discount id. */
export function couponOfDiscount(state: FakeState, discountId: string | undefined): StripeObject | undefined {
  const discount = discountId ? state.get('discount', discountId) : undefined;
  return discount ? state.get('coupon', discount.source.coupon) : undefined;
}

/** Recomputes a draft's subtotal, discount and total from its lines (tax is not modeled: `total_taxes` empty). */
export function recomputeTotals(state: FakeState, invoice: StripeObject): void {
  const lines = invoice.lines.data as StripeObject[];
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const discountId = invoice.discounts[0] as string | undefined;
  const discount = couponDiscount(couponOfDiscount(state, discountId), subtotal, invoice.currency);
  invoice.lines.total_count = lines.length;
  invoice.subtotal = subtotal;
  invoice.subtotal_excluding_tax = subtotal;
  invoice.total_discount_amounts = discount > 0 ? [{ amount: discount, discount: discountId }] : [];
  invoice.total = subtotal - discount;
  invoice.total_excluding_tax = invoice.total;
  invoice.amount_due = Math.max(0, invoice.total);
  invoice.amount_remaining = invoice.amount_due;
}

/** Adds a line to a draft invoice and recomputes its totals. */
export function addLine(state: FakeState, invoice: StripeObject, line: StripeObject): StripeObject {
  const built = lineObject(state, { currency: invoice.currency, ...line, invoice: invoice.id });
  invoice.lines.data.push(built);
  recomputeTotals(state, invoice);
  return built;
}

/**
 * Draft → open: a number, the due date, and the customer's credit balance applied (a negative total is credited
 * to the balance instead). An invoice with nothing to pay is paid at once, as Stripe does.
 */
export function finalizeInvoice(state: FakeState, invoice: StripeObject): void {
  if (invoice.status !== 'draft')
    throw new FakeError(
      invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`),
    );
  const customer = state.require('customer', invoice.customer);
  const now = state.seconds();
  state.update('invoice', invoice, (target) => {
    target.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`;
    target.status = 'open';
    target.effective_at = now;
    target.status_transitions.finalized_at = now;
    target.due_date =
      target.collection_method === 'send_invoice' ? now + (target.days_until_due ?? 30) * DAY_SECONDS : null;
    const starting = customer.balance as number;
    target.starting_balance = starting;
    const applied = target.total > 0 ? Math.min(target.total, Math.max(0, -starting)) : target.total;
    target.ending_balance = starting + applied;
    target.amount_due = Math.max(0, target.total - applied);
    target.amount_remaining = target.amount_due;
    target.next_payment_attempt =
      target.collection_method === 'charge_automatically' && target.auto_advance ? now : null;
  });
  state.emit('invoice.finalized', invoice);
  state.update('customer', customer, (target) => {
    target.next_invoice_sequence += 1;
    target.balance = invoice.ending_balance;
  });
  if (invoice.ending_balance !== invoice.starting_balance) {
    state.insert(
      'customer_balance_transaction',
      balanceTransactionObject(state, {
        amount: invoice.ending_balance - invoice.starting_balance,
        currency: invoice.currency,
        customer: customer.id,
        ending_balance: invoice.ending_balance,
        invoice: invoice.id,
        type: 'applied_to_invoice',
      }),
    );
  }
  if (invoice.amount_due === 0) markPaid(state, invoice, 0);
}

function markPaid(state: FakeState, invoice: StripeObject, amountPaid: number, outOfBand = false): void {
  const now = state.seconds();
  state.update(
    'invoice',
    invoice,
    (target) => {
      target.status = 'paid';
      target.amount_paid = amountPaid;
      target.amount_remaining = 0;
      target.next_payment_attempt = null;
      target.status_transitions.paid_at = now;
      if (outOfBand) target.paid_out_of_band = true;
    },
    'invoice.paid',
  );
}

/**
 * Pays an open invoice: out of band (no charge), or with the customer's default card through a payment intent.
 * A declined card leaves a failed charge and answers 402 — the failure's effects stay, as on Stripe.
 */
export function payInvoice(
  state: FakeState,
  invoice: StripeObject,
  options: { outOfBand?: boolean } = {},
): { charge: StripeObject | null } {
  if (invoice.status === 'paid')
    throw new FakeError(invalidRequest('Invoice is already paid', { code: 'invoice_already_paid' }));
  if (invoice.status !== 'open')
    throw new FakeError(
      invalidRequest(`You can only pay an open invoice. This invoice is ${invoice.status}.`, {
        code: 'invoice_not_editable',
      }),
    );
  if (options.outOfBand) {
    markPaid(state, invoice, invoice.amount_remaining, true);
    return { charge: null };
  }
  const customer = state.require('customer', invoice.customer);
  const methodId = customer.invoice_settings?.default_payment_method as string | null;
  const method = methodId ? state.get('payment_method', methodId) : undefined;
  if (!method)
    throw new FakeError(
      invalidRequest(
        `Cannot charge a customer that has no active card or payment method set as default. (customer ${customer.id})`,
        { code: 'invoice_no_customer_line_items' },
      ),
    );
  const declined = customer.metadata?.fake_card === 'declined';
  const amount = invoice.amount_remaining as number;
  const intent = state.insert(
    'payment_intent',
    paymentIntentObject(state, {
      amount,
      currency: invoice.currency,
      customer: customer.id,
      payment_method: method.id,
      status: declined ? 'requires_payment_method' : 'succeeded',
      description: invoice.number ? `Invoice ${invoice.number}` : null,
    }),
  );
  const charge = state.insert(
    'charge',
    chargeObject(state, {
      amount,
      currency: invoice.currency,
      customer: customer.id,
      payment_intent: intent.id,
      payment_method: method.id,
      card: method.card,
      name: customer.name,
      status: declined ? 'failed' : 'succeeded',
      failure_code: declined ? 'card_declined' : null,
      failure_message: declined ? 'Your card was declined.' : null,
    }),
  );
  intent.latest_charge = charge.id;
  if (declined)
    intent.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      message: 'Your card was declined.',
      charge: charge.id,
    };
  const payment = invoicePaymentObject(state, {
    amount,
    currency: invoice.currency,
    invoice: invoice.id,
    payment_intent: intent.id,
    status: declined ? 'open' : 'paid',
  });
  state.emit(declined ? 'payment_intent.payment_failed' : 'payment_intent.succeeded', intent);
  state.emit(declined ? 'charge.failed' : 'charge.succeeded', charge);
  state.update('invoice', invoice, (target) => {
    target.attempt_count += 1;
    target.attempted = true;
    target.payments.data.push(payment);
    target.payments.total_count = target.payments.data.length;
    if (declined) target.next_payment_attempt = state.seconds() + 3 * DAY_SECONDS;
  });
  if (declined) {
    state.emit('invoice.payment_failed', invoice);
    throw new FakeError(cardDeclined(charge.id));
  }
  markPaid(state, invoice, amount);
  state.emit('invoice.payment_succeeded', invoice);
  return { charge };
}
