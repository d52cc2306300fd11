/**
 * Periods and answers shared by the insights: a window [from, until) from `from`/`to` inputs, the previous
 * window of the same length, and the shape every insight answer has (figures, explanation, chart series).
 */
import { z } from 'zod';
import { badInput } from '../domain/errors.ts';
import { CURRENCIES, type Currency, formatMoney, money } from '../domain/money.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A month (YYYY-MM) or a day (YYYY-MM-DD); `to` is inclusive (the whole month or day). */
export const periodBound = z.string().refine((text) => MONTH.test(text) || DAY.test(text), 'use YYYY-MM or YYYY-MM-DD');

/** Input fields every windowed insight takes. */
export const windowFields = {
  from: periodBound.optional(),
  to: periodBound.optional(),
};

/** An optional currency (the org's main one when absent). */
export const currencyField = z.enum(CURRENCIES as [Currency, ...Currency[]]).optional();

/** A half-open window [from, until). */
export interface Window {
  from: Date;
  until: Date;
}

/** A chart: x labels and named series of numbers (money in minor units). */
export interface Chart {
  kind: 'line' | 'bar' | 'stacked-bar';
  x: string[];
  series: { name: string; values: number[] }[];
  unit: string;
}

/** The first instant of the month of `date` (UTC), moved by `months`. */
export function monthStart(date: Date, months = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
}

/** YYYY-MM of a date (UTC). */
export function monthKey(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** Every month key from the month of `from` to the month of the last instant before `until`. */
export function monthsIn(window: Window): string[] {
  const months: string[] = [];
  const last = new Date(window.until.getTime() - 1);
  for (let month = monthStart(window.from); month <= last; month = monthStart(month, 1)) months.push(monthKey(month));
  return months;
}

function parseBound(text: string, field: string, end: boolean): Date {
  const date = new Date(MONTH.test(text) ? `${text}-01T00:00:00Z` : `${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || (DAY.test(text) && date.toISOString().slice(0, 10) !== text))
    throw badInput(field, `"${text}" is not a date`);
  if (!end) return date;
  return MONTH.test(text) ? monthStart(date, 1) : new Date(date.getTime() + 86_400_000);
}

/**
 * The window an insight covers: `from`/`to` when given, otherwise the `defaultMonths` calendar months up to
 * and including the current one; never past the billing system's now.
 */
export function resolveWindow(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
  defaultMonths: number,
): Window {
  const ceiling = new Date(now.getTime() + 1);
  const untilWanted = input.to ? parseBound(input.to, 'to', true) : ceiling;
  const until = untilWanted < ceiling ? untilWanted : ceiling;
  const from = input.from ? parseBound(input.from, 'from', false) : monthStart(now, -(defaultMonths - 1));
  if (from >= until)
    throw badInput('from', `the window is empty: ${input.from ?? monthKey(from)} is not before ${input.to ?? 'now'}`);
  return { from, until };
}

/** Optional bounds of a listing, [from, until): only the bounds given, no default and no ceiling at "now". */
export function listingBounds(input: { from?: string | undefined; to?: string | undefined }): {
  from?: Date;
  until?: Date;
} {
  const from = input.from ? parseBound(input.from, 'from', false) : undefined;
  const until = input.to ? parseBound(input.to, 'to', true) : undefined;
  if (from && until && from >= until)
    throw badInput('from', `the window is empty: ${input.from} is not before ${input.to}`);
  return { ...(from ? { from } : {}), ...(until ? { until } : {}) };
}

/** The window of the same length just before `window`. */
export function previousWindow(window: Window): Window {
  return { from: new Date(2 * window.from.getTime() - window.until.getTime()), until: window.from };
}

/** "Mar 2026" for "2026-03"; "1 Mar 2026" for a date. */
export function describeWindow(window: Window): string {
  const last = new Date(window.until.getTime() - 1);
  const day = (date: Date) =>
    date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return `${day(window.from)} – ${day(last)}`;
}

/** Money for sentences. */
export function show(amount: number, currency: Currency): string {
  return formatMoney(money(amount, currency));
}

/** A ratio as a percentage with one decimal ("4.2%"). */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`;
}
