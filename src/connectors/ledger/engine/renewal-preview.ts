/**
 * The invoice a subscription's next renewal will issue, priced ahead with the same functions the renewal uses
 * (`renewalLines`, `activeCoupon`, `couponDiscount`, `invoiceTotals`). Usage is not known ahead, so metered items
 * show as a zero line billed on actual use. Pure; amounts in minor units.
 */
import type { Coupon, Price, RenewalPreview, Subscription } from '../../../domain/billing.ts';
import { couponDiscount, invoiceTotals } from './pricing.ts';
import { activeCoupon, nextPeriodEnd, renewalLines, subscriptionInterval } from './subscriptions.ts';

/** Prices the next renewal of `subscription` (its items' prices, product names and coupon already loaded). */
export function previewRenewal(input: {
  subscription: Subscription;
  prices: ReadonlyMap<string, Price>;
  productNames: ReadonlyMap<string, string>;
  coupon: Coupon | undefined;
  taxRateBps: number;
}): RenewalPreview {
  const { subscription, prices } = input;
  const date = subscription.currentPeriodEnd;
  const drafts = renewalLines({
    items: subscription.items,
    prices,
    productNames: input.productNames,
    usage: [],
    previousStart: subscription.currentPeriodStart,
    previousEnd: date,
    nextEnd: nextPeriodEnd(subscription.billingAnchor, subscriptionInterval(subscription.items, prices), date),
    billLicensed: true,
  });
  const lines = drafts.map((draft) => {
    const price = draft.priceId ? prices.get(draft.priceId) : undefined;
    if (!price?.usageMetric) return { description: draft.description, amount: draft.amount };
    const name = input.productNames.get(price.productId) ?? price.nickname;
    return { description: `${name}: ${price.usageMetric} usage, billed on actual use`, amount: 0 };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const coupon = activeCoupon(subscription, input.coupon, date);
  const discount = couponDiscount(coupon, subtotal, subscription.currency);
  const totals = invoiceTotals(subtotal, discount, input.taxRateBps);
  if (coupon && totals.discount > 0) lines.push({ description: `Discount (${coupon.code})`, amount: -totals.discount });
  if (totals.tax !== 0) lines.push({ description: 'Tax', amount: totals.tax });
  return { date, currency: subscription.currency, lines, ...totals };
}
