/**
 * Proration of a plan change, per second like Stripe: a credit for the unused time of the old price and a
 * charge for the remaining time of the new one. An interval change (month ↔ year) restarts the period now:
 * credit the unused old time, charge the whole new period.
 */
import type { Price } from '../../../domain/billing.ts';
import { mulDiv } from '../../../domain/money.ts';
import { addInterval, secondsBetween } from './periods.ts';
import { licensedAmount } from './pricing.ts';

/** One proration line. */
export interface ProrationLine {
  description: string;
  amount: number;
  quantity: number;
  priceId: string;
  periodStart: Date;
  periodEnd: Date;
  proration: true;
}

/** The proration of moving from `from` (× fromQuantity) to `to` (× toQuantity) at `at` within the period. */
export function prorate(input: {
  from: Price;
  fromQuantity: number;
  to: Price;
  toQuantity: number;
  periodStart: Date;
  periodEnd: Date;
  at: Date;
  fromName: string;
  toName: string;
}): { lines: ProrationLine[]; newPeriodStart: Date; newPeriodEnd: Date; restartsPeriod: boolean } {
  const total = secondsBetween(input.periodStart, input.periodEnd);
  const remaining = Math.min(total, secondsBetween(input.at, input.periodEnd));
  const oldAmount = licensedAmount(input.from, input.fromQuantity);
  const unused = total > 0 ? mulDiv(oldAmount, remaining, total) : 0;
  const lines: ProrationLine[] = [];
  if (unused > 0) {
    lines.push({
      description: `Unused time on ${input.fromName} after ${input.at.toISOString().slice(0, 10)}`,
      amount: -unused,
      quantity: input.fromQuantity,
      priceId: input.from.id,
      periodStart: input.at,
      periodEnd: input.periodEnd,
      proration: true,
    });
  }
  const newAmount = licensedAmount(input.to, input.toQuantity);
  const restartsPeriod = input.from.interval !== input.to.interval;
  if (restartsPeriod) {
    const newPeriodEnd = addInterval(input.at, input.to.interval ?? 'month', 1);
    lines.push({
      description: `${input.toName} from ${input.at.toISOString().slice(0, 10)}`,
      amount: newAmount,
      quantity: input.toQuantity,
      priceId: input.to.id,
      periodStart: input.at,
      periodEnd: newPeriodEnd,
      proration: true,
    });
    return { lines, newPeriodStart: input.at, newPeriodEnd, restartsPeriod };
  }
  const charge = total > 0 ? mulDiv(newAmount, remaining, total) : 0;
  if (charge > 0) {
    lines.push({
      description: `Remaining time on ${input.toName} after ${input.at.toISOString().slice(0, 10)}`,
      amount: charge,
      quantity: input.toQuantity,
      priceId: input.to.id,
      periodStart: input.at,
      periodEnd: input.periodEnd,
      proration: true,
    });
  }
  return { lines, newPeriodStart: input.periodStart, newPeriodEnd: input.periodEnd, restartsPeriod };
}
