/** Subscription state changes: start, renew, coupon windows, cancellation. Pure; the caller persists. */
import type { Coupon, Price, Subscription, SubscriptionItem, UsageRecord } from '../../../domain/billing.ts';
import type { LineDraft } from './invoices.ts';
import { addDays, addInterval } from './periods.ts';
import { licensedAmount, tieredAmount } from './pricing.ts';

/** The interval a subscription bills on (its first licensed price's). */
export function subscriptionInterval(
  items: readonly SubscriptionItem[],
  prices: ReadonlyMap<string, Price>,
): 'month' | 'year' {
  for (const item of items) {
    const price = prices.get(item.priceId);
    if (price?.interval && !price.usageMetric) return price.interval;
  }
  return 'month';
}

/** The next period end after `start`, counted from the anchor so the anchor's day of month is kept. */
export function nextPeriodEnd(anchor: Date, interval: 'month' | 'year', start: Date): Date {
  let count = 1;
  let end = addInterval(anchor, interval, count);
  while (end.getTime() <= start.getTime()) {
    count += 1;
    end = addInterval(anchor, interval, count);
  }
  return end;
}

/** When a coupon applied at `at` stops discounting (null: never). */
export function discountEndFor(coupon: Coupon, at: Date, periodEnd: Date): Date | null {
  if (coupon.duration === 'forever') return null;
  if (coupon.duration === 'once') return periodEnd;
  return addInterval(at, 'month', coupon.durationInMonths ?? 1);
}

/** The coupon in force on an invoice dated `at`, if any. */
export function activeCoupon(subscription: Subscription, coupon: Coupon | undefined, at: Date): Coupon | null {
  if (!coupon || subscription.couponId !== coupon.id) return null;
  if (subscription.discountEnd && subscription.discountEnd.getTime() <= at.getTime()) return null;
  return coupon;
}

/** The description a plan line carries. */
export function lineDescription(productName: string, price: Price, quantity: number): string {
  const per = price.interval ? ` (${price.interval === 'year' ? 'annual' : 'monthly'})` : '';
  return `${quantity > 1 && price.scheme === 'per_unit' ? `${quantity} × ` : ''}${productName}${per}`;
}

/**
 * Lines of a renewal invoice: licensed items in advance for the new period, metered items in arrears for the
 * period that just ended (usage beyond the free allowance through graduated tiers).
 */
export function renewalLines(input: {
  items: readonly SubscriptionItem[];
  prices: ReadonlyMap<string, Price>;
  productNames: ReadonlyMap<string, string>;
  usage: readonly UsageRecord[];
  previousStart: Date;
  previousEnd: Date;
  nextEnd: Date;
  billLicensed: boolean;
}): LineDraft[] {
  const lines: LineDraft[] = [];
  for (const item of input.items) {
    const price = input.prices.get(item.priceId);
    if (!price) continue;
    const name = input.productNames.get(price.productId) ?? price.nickname;
    if (price.usageMetric) {
      const units = input.usage
        .filter(
          (record) =>
            record.metric === price.usageMetric &&
            record.timestamp >= input.previousStart &&
            record.timestamp < input.previousEnd,
        )
        .reduce((sum, record) => sum + record.quantity, 0);
      const amount =
        price.scheme === 'tiered'
          ? tieredAmount(price.tiers, units, price.freeAllowance)
          : Math.max(0, units - price.freeAllowance) * price.unitAmount;
      lines.push({
        description: `${name}: ${units.toLocaleString('en-US')} ${price.usageMetric} (${price.freeAllowance.toLocaleString('en-US')} included)`,
        amount,
        quantity: units,
        priceId: price.id,
        periodStart: input.previousStart,
        periodEnd: input.previousEnd,
        proration: false,
      });
    } else if (input.billLicensed) {
      lines.push({
        description: lineDescription(name, price, item.quantity),
        amount: licensedAmount(price, item.quantity),
        quantity: item.quantity,
        priceId: price.id,
        periodStart: input.previousEnd,
        periodEnd: input.nextEnd,
        proration: false,
      });
    }
  }
  return lines;
}

/** A new subscription: trialing until the trial ends, else active with its first period starting now. */
export function startSubscription(input: {
  id: string;
  orgId: string;
  customerId: string;
  currency: Subscription['currency'];
  items: SubscriptionItem[];
  interval: 'month' | 'year';
  trialDays: number;
  coupon: Coupon | null;
  now: Date;
}): Subscription {
  const trialEnd = input.trialDays > 0 ? addDays(input.now, input.trialDays) : null;
  const anchor = trialEnd ?? input.now;
  const periodEnd = trialEnd ?? addInterval(anchor, input.interval, 1);
  const firstBilledEnd = trialEnd ? addInterval(anchor, input.interval, 1) : periodEnd;
  return {
    id: input.id,
    orgId: input.orgId,
    customerId: input.customerId,
    status: trialEnd ? 'trialing' : 'active',
    currency: input.currency,
    items: input.items,
    currentPeriodStart: input.now,
    currentPeriodEnd: periodEnd,
    billingAnchor: anchor,
    trialEnd,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    cancellationReason: null,
    couponId: input.coupon?.id ?? null,
    discountEnd: input.coupon ? discountEndFor(input.coupon, anchor, firstBilledEnd) : null,
    createdAt: input.now,
  };
}
