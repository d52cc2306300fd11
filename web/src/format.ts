/** Formatting at the edge: money arrives in integer minor units with its currency; dates as ISO strings. */
import {
  DEFAULT_TIME_ZONE,
  isTimeZone,
  personClock,
  personDate,
  personTime,
  zoneAbbreviation,
} from '../../src/domain/person-time.ts';

const digitsCache = new Map<string, number>();

function minorDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits as number;
    digitsCache.set(code, digits);
  }
  return digits;
}

/** `money(4599, 'usd')` → "$45.99"; `money(500, 'jpy')` → "¥500". */
export function money(amount: number, currency: string, options: { compact?: boolean } = {}): string {
  const code = currency.toUpperCase();
  const value = amount / 10 ** minorDigits(code);
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency: code,
    ...(options.compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
  }).format(value);
}

/**
 * The zone the signed-in member reads times in (their own, else UTC), set from the session (`/api/me`) before
 * the pages render; every date and time below is worded in it, never in the browser's zone.
 */
let readerZone = DEFAULT_TIME_ZONE;

/** Sets the zone times are shown in (session.tsx calls it with the member's zone). */
export function showTimesIn(zone: string | null | undefined): void {
  readerZone = zone && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
}

/** The zone times are shown in now. */
export function shownTimeZone(): string {
  return readerZone;
}

const atMidnightUtc = (date: Date) =>
  date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0;

/**
 * A date ("3 Nov 2026") or, unless `dateOnly`, a date and time ("3 Nov 2026 14:05") in the member's zone: the
 * one format of chat, cards and the CLI. Midnight UTC is a calendar date (a due day, a period's edge) and stays
 * that date in any zone.
 */
export function when(iso: string | null | undefined, dateOnly = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (dateOnly) return personDate(date, atMidnightUtc(date) ? DEFAULT_TIME_ZONE : readerZone);
  return `${personDate(date, readerZone)} ${personClock(date, readerZone)}`;
}

/** A date and time with its zone named: "3 Dec 2026 19:35 GMT+5:30". */
export function whenZoned(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${when(iso)} ${zoneAbbreviation(date, readerZone)}`;
}

/** A moment relative to today, with its zone named: "tomorrow at 02:45 GMT+5:30", "3 Nov 2026 at 14:05 UTC". */
export function whenExactly(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${personTime(date, now, readerZone)} ${zoneAbbreviation(date, readerZone)}`;
}

/** "in 3 days", "2 hours ago". */
export function relative(iso: string): string {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units)
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  return format.format(Math.round(seconds), 'second');
}

/** `billing_manager` → "billing manager". */
export function words(value: string): string {
  return value.replaceAll('_', ' ');
}

/** A share 0–1 as a percentage. */
export function percent(share: number): string {
  return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}
