/**
 * Plan-change proration and renewal lines, Stripe's way: for a changed item, a credit for the unused time on the
 * old price and a charge for the remaining time on the new one, each
 * round(amount × (period_end − proration_date) / (period_end − period_start)), period [proration_date, period_end].
 * An interval change (month ↔ year) restarts the period at the proration date and charges the whole new period.
 */
import { addInterval, priceAmount } from './billing.ts';
import type { StripeObject } from './fixtures.ts';
import type { FakeState } from './state.ts';

/** A line before it belongs to an invoice. */
export interface DraftLine {
  amount: number;
  currency: string;
  description: string;
  quantity: number;
  price: string;
  product: string | null;
  period_start: number;
  period_end: number;
  proration: boolean;
  subscription: string;
  subscription_item: string;
}

const dayOf = (seconds: number) =>
  new Date(seconds * 1000).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

function productName(state: FakeState, price: StripeObject): string {
  return state.get('product', price.product)?.name ?? price.nickname ?? price.id;
}

/** The proration lines of moving `item` to `price` × `quantity` at `at` (seconds). */
export function prorationLines(
  state: FakeState,
  subscription: StripeObject,
  item: StripeObject,
  price: StripeObject,
  quantity: number,
  at: number,
): { lines: DraftLine[]; periodStart: number; periodEnd: number } {
  const start = item.current_period_start as number;
  const end = item.current_period_end as number;
  const total = end - start;
  const remaining = Math.max(0, Math.min(total, end - at));
  const share = (amount: number) => (total > 0 ? Math.round((amount * remaining) / total) : 0);
  const base = {
    currency: subscription.currency,
    proration: true,
    subscription: subscription.id,
    subscription_item: item.id,
  };
  const lines: DraftLine[] = [];
  const unused = share(priceAmount(item.price, item.quantity));
  if (unused !== 0)
    lines.push({
      ...base,
      amount: -unused,
      description: `Unused time on ${item.quantity} × ${productName(state, item.price)} after ${dayOf(at)}`,
      quantity: item.quantity,
      price: item.price.id,
      product: item.price.product,
      period_start: at,
      period_end: end,
    });
  const restarts = (item.price.recurring?.interval ?? null) !== (price.recurring?.interval ?? null);
  const periodEnd = restarts ? addInterval(at, price.recurring?.interval ?? 'month') : end;
  const charge = restarts ? priceAmount(price, quantity) : share(priceAmount(price, quantity));
  if (charge !== 0)
    lines.push({
      ...base,
      amount: charge,
      description: `Remaining time on ${quantity} × ${productName(state, price)} after ${dayOf(at)}`,
      quantity,
      price: price.id,
      product: price.product,
      period_start: at,
      period_end: periodEnd,
    });
  return { lines, periodStart: restarts ? at : start, periodEnd };
}

/** The lines of the next renewal of `items` (each: price × quantity for the next period). */
export function renewalLines(state: FakeState, subscription: StripeObject, items: StripeObject[]): DraftLine[] {
  return items.map((item) => {
    const start = item.current_period_end as number;
    return {
      amount: priceAmount(item.price, item.quantity),
      currency: subscription.currency,
      description: `${item.quantity} × ${productName(state, item.price)}`,
      quantity: item.quantity,
      price: item.price.id,
      product: item.price.product,
      period_start: start,
      period_end: addInterval(start, item.price.recurring?.interval ?? 'month'),
      proration: false,
      subscription: subscription.id,
      subscription_item: item.id,
    };
  });
}

/** The lines of a first invoice: each item for its current period. */
export function firstPeriodLines(state: FakeState, subscription: StripeObject): DraftLine[] {
  return (subscription.items.data as StripeObject[]).map((item) => ({
    amount: priceAmount(item.price, item.quantity),
    currency: subscription.currency,
    description: `${item.quantity} × ${productName(state, item.price)}`,
    quantity: item.quantity,
    price: item.price.id,
    product: item.price.product,
    period_start: item.current_period_start,
    period_end: item.current_period_end,
    proration: false,
    subscription: subscription.id,
    subscription_item: item.id,
  }));
}

/** Pending invoice items of a subscription (prorations waiting for the next invoice) as lines. */
export function pendingLines(state: FakeState, subscription: StripeObject): DraftLine[] {
  return state
    .all('invoiceitem')
    .filter((item) => !item.invoice && item.parent?.subscription_details?.subscription === subscription.id)
    .reverse()
    .map((item) => ({
      amount: item.amount,
      currency: item.currency,
      description: item.description,
      quantity: item.quantity,
      price: item.pricing?.price_details?.price ?? null,
      product: item.pricing?.price_details?.product ?? null,
      period_start: item.period.start,
      period_end: item.period.end,
      proration: item.proration,
      subscription: subscription.id,
      subscription_item: item.subscription_item,
      invoice_item: item.id,
    }));
}
