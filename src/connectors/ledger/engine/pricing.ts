/** What a price costs for a quantity or a usage count, and how a coupon and tax change an invoice's totals. */
import type { Coupon, Price, PriceTier } from '../../../domain/billing.ts';
import { percentOf } from '../../../domain/money.ts';

/** The amount of a licensed (flat or per-unit) price for `quantity`. */
export function licensedAmount(price: Price, quantity: number): number {
  return price.scheme === 'flat' ? price.unitAmount * Math.max(1, quantity) : price.unitAmount * quantity;
}

/**
 * Graduated tiers: each unit is billed at the tier it falls in; a tier's flat amount is charged once when
 * any unit reaches it. `freeAllowance` units are free before the tiers start.
 */
export function tieredAmount(tiers: readonly PriceTier[], units: number, freeAllowance = 0): number {
  let billable = Math.max(0, units - freeAllowance);
  let total = 0;
  let floor = 0;
  for (const tier of tiers) {
    if (billable <= 0) break;
    const size = tier.upTo === null ? billable : Math.max(0, tier.upTo - floor);
    const inTier = Math.min(billable, size);
    if (inTier > 0) total += inTier * tier.unitAmount + tier.flatAmount;
    billable -= inTier;
    if (tier.upTo !== null) floor = tier.upTo;
  }
  return total;
}

/** The discount a coupon gives on a subtotal (never more than the subtotal, never on a credit). */
export function couponDiscount(coupon: Coupon | null | undefined, subtotal: number, currency: string): number {
  if (!coupon || subtotal <= 0) return 0;
  if (coupon.percentOffBps !== null) return Math.min(subtotal, percentOf(subtotal, coupon.percentOffBps));
  if (coupon.amountOff !== null && coupon.currency === currency) return Math.min(subtotal, coupon.amountOff);
  return 0;
}

/** Invoice totals: total = subtotal − discount + tax; tax is on the discounted amount, rounded half away from zero. */
export function invoiceTotals(subtotal: number, discount: number, taxRateBps: number) {
  const taxable = subtotal - discount;
  const tax = taxable > 0 ? percentOf(taxable, taxRateBps) : 0;
  return { subtotal, discount, tax, total: taxable + tax };
}
