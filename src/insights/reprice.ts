/**
 * Repricing, pure: what one actual invoice line of a plan would have come to under a proposed pricing change,
 * what a usage component would have billed for one month's usage, and how the results add up into a revenue
 * series by month and currency and the customers most affected. No I/O: simulate_pricing feeds it.
 *
 * Rounding (docs/insights.md "Pricing what-ifs"): a repriced line is the actual line scaled by new ÷ old unit
 * amount with {@link mulDiv} (exact, half away from zero, so quantities and prorations carry over); an annual
 * price under a discount is 12 × the monthly amount less the discount, rounded the same way once; a usage
 * charge is whole units × unit amount, which needs no rounding.
 */
import type { Price } from '../domain/billing.ts';
import { type Currency, mulDiv } from '../domain/money.ts';

/** A proposed change to a plan's pricing, already validated (amounts in minor units). */
export type PricingChange =
  | { kind: 'price'; amount: number; currency: Currency; interval: 'month' | 'year' }
  | { kind: 'usage_component'; unitAmount: number; freeUnits: number; meter: string; currency: Currency }
  | { kind: 'annual_discount'; basisPoints: number };

/** One actual invoice line of the plan, with the month its invoice was issued in. */
export interface PlanLine {
  customerId: string;
  subscriptionId: string | null;
  /** YYYY-MM of the invoice's creation. */
  month: string;
  currency: Currency;
  amount: number;
  quantity: number;
  price: Price;
}

/** Actual and simulated revenue of one customer in one month and currency. */
export interface RepricedAmount {
  customerId: string;
  month: string;
  currency: Currency;
  actual: number;
  simulated: number;
}

/** A plan price a line may be repriced from: recurring, not metered. */
function isRecurringFlat(price: Price): boolean {
  return price.usageMetric === null && price.scheme !== 'tiered' && price.interval !== null;
}

/** The monthly price of the plan in a currency that an annual price is compared against (active first). */
export function monthlyPriceIn(prices: readonly Price[], currency: Currency): Price | undefined {
  const monthly = prices.filter(
    (price) => price.currency === currency && price.interval === 'month' && isRecurringFlat(price),
  );
  return monthly.find((price) => price.active) ?? monthly[0];
}

/** The annual amount 12 × monthly less `basisPoints` (2500 = 25 %), rounded half away from zero. */
export function discountedAnnual(monthlyAmount: number, basisPoints: number): number {
  return mulDiv(monthlyAmount * 12, 10_000 - basisPoints, 10_000);
}

/** The discount an annual price gives on 12 monthly payments, in basis points (0 when unknown). */
export function annualDiscountBps(annual: Price, monthly: Price | undefined): number {
  if (!monthly || monthly.unitAmount === 0) return 0;
  return 10_000 - mulDiv(annual.unitAmount, 10_000, monthly.unitAmount * 12);
}

/** Scales a line by new ÷ old unit amount (an old amount of 0 bills the new amount per unit). */
function scale(line: PlanLine, newUnitAmount: number): number {
  if (line.price.unitAmount === 0) return newUnitAmount * line.quantity;
  return mulDiv(line.amount, newUnitAmount, line.price.unitAmount);
}

/**
 * The simulated amount of one actual line. A price change reprices lines of the plan's recurring prices in that
 * currency and interval; an annual discount reprices annual lines against the monthly price in the same
 * currency; everything else (and every line under a usage component, which adds rather than reprices) stays.
 */
export function repriceLine(line: PlanLine, change: PricingChange, planPrices: readonly Price[]): number {
  if (!isRecurringFlat(line.price)) return line.amount;
  if (change.kind === 'price') {
    const matches = line.price.currency === change.currency && line.price.interval === change.interval;
    return matches ? scale(line, change.amount) : line.amount;
  }
  if (change.kind === 'annual_discount' && line.price.interval === 'year') {
    const monthly = monthlyPriceIn(planPrices, line.price.currency);
    return monthly ? scale(line, discountedAnnual(monthly.unitAmount, change.basisPoints)) : line.amount;
  }
  return line.amount;
}

/** What a usage component bills for one month's units: units over the free allowance × unit amount. */
export function usageCharge(units: number, change: { unitAmount: number; freeUnits: number }): number {
  return Math.max(0, units - change.freeUnits) * change.unitAmount;
}

/** One month of a currency's revenue series. */
export interface RevenueMonth {
  month: string;
  actual: number;
  simulated: number;
  difference: number;
}

/** A currency's revenue by month, actual vs simulated, with totals. */
export interface RevenueSeries {
  currency: Currency;
  months: RevenueMonth[];
  actual: number;
  simulated: number;
  difference: number;
}

/** Revenue by month per currency (every month of the window, zero when nothing was billed), largest first. */
export function revenueSeries(amounts: readonly RepricedAmount[], months: readonly string[]): RevenueSeries[] {
  const byCurrency = new Map<Currency, Map<string, RevenueMonth>>();
  for (const amount of amounts) {
    let series = byCurrency.get(amount.currency);
    if (!series) {
      series = new Map(months.map((month) => [month, { month, actual: 0, simulated: 0, difference: 0 }]));
      byCurrency.set(amount.currency, series);
    }
    const row = series.get(amount.month);
    if (!row) continue;
    row.actual += amount.actual;
    row.simulated += amount.simulated;
    row.difference = row.simulated - row.actual;
  }
  const all = [...byCurrency].map(([currency, series]) => {
    const rows = [...series.values()];
    const actual = rows.reduce((sum, row) => sum + row.actual, 0);
    const simulated = rows.reduce((sum, row) => sum + row.simulated, 0);
    return { currency, months: rows, actual, simulated, difference: simulated - actual };
  });
  return all.sort((a, b) => b.actual - a.actual || a.currency.localeCompare(b.currency));
}

/** A customer's total difference over the window in one currency. */
export interface CustomerDifference {
  customerId: string;
  currency: Currency;
  actual: number;
  simulated: number;
  difference: number;
}

/** The customers who would pay most more (`up`) and most less (`down`), `limit` each; unchanged ones left out. */
export function mostAffected(
  amounts: readonly RepricedAmount[],
  limit: number,
): { up: CustomerDifference[]; down: CustomerDifference[] } {
  const byCustomer = new Map<string, CustomerDifference>();
  for (const amount of amounts) {
    const key = `${amount.customerId}:${amount.currency}`;
    const row = byCustomer.get(key) ?? {
      customerId: amount.customerId,
      currency: amount.currency,
      actual: 0,
      simulated: 0,
      difference: 0,
    };
    row.actual += amount.actual;
    row.simulated += amount.simulated;
    row.difference = row.simulated - row.actual;
    byCustomer.set(key, row);
  }
  const rows = [...byCustomer.values()];
  const byId = (a: CustomerDifference, b: CustomerDifference) => a.customerId.localeCompare(b.customerId);
  return {
    up: rows
      .filter((row) => row.difference > 0)
      .sort((a, b) => b.difference - a.difference || byId(a, b))
      .slice(0, limit),
    down: rows
      .filter((row) => row.difference < 0)
      .sort((a, b) => a.difference - b.difference || byId(a, b))
      .slice(0, limit),
  };
}
