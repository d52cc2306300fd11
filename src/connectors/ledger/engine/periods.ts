/**
 * Billing periods in UTC. Monthly and annual periods keep their anchor day: a subscription started on Jan 31
 * renews Feb 28 (or 29), then Mar 31 — the day is clamped to the month's length, never drifted.
 */
import type { PriceInterval } from '../../../domain/billing.ts';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The anchor moved `count` intervals forward, with the day clamped to the target month. */
export function addInterval(anchor: Date, interval: PriceInterval, count: number): Date {
  const months = interval === 'year' ? 12 * count : count;
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(targetYear, targetMonth));
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      day,
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

/** The end of the period that starts at the `index`-th renewal of `anchor`. */
export function periodEnd(anchor: Date, interval: PriceInterval, index: number): Date {
  return addInterval(anchor, interval, index + 1);
}

/** Adds whole days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** Whole seconds between two instants (proration works in seconds, like Stripe). */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
}
