/** Printing for the CLI: JSON for machines, aligned tables and formatted money for people. */
import { formatMoney, isCurrency } from '../domain/money.ts';
import { asDate, DEFAULT_TIME_ZONE, personClock, personDate, zoneAbbreviation } from '../domain/person-time.ts';

/** Prints a value as pretty JSON (dates as ISO strings). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Formats minor units of a currency for people ("$1,245.00", "¥500"; never "-$0.00"). */
export function showMoney(amount: number, currency: string): string {
  return isCurrency(currency) ? formatMoney({ amount: amount || 0, currency }) : `${amount} ${currency}`;
}

/** What a plan label needs of a price and its product (list_plans' shape). */
export interface PlanPrice {
  id: string;
  unitAmount: number | null;
  currency: string;
  interval: string | null;
  nickname?: string | null;
}

/** A price as a person names it: "Basic ($29/month)", "Pro ($990/year)"; the price's id only when unknown. */
export function planLabel(productName: string, price: PlanPrice): string {
  const amount =
    price.unitAmount === null
      ? price.nickname || 'metered'
      : showMoney(price.unitAmount, price.currency).replace(/\.00$/, '');
  return `${productName} (${amount}${price.interval ? `/${price.interval}` : ''})`;
}

/**
 * The zone this command shows times in: `--tz` when given, else the acting member's own (set once the member is
 * known), else UTC. One command acts as one member, so the process keeps it.
 */
const readerZone = { zone: DEFAULT_TIME_ZONE, fromOption: false };

/** Sets the zone times are shown in; a zone from `--tz` is kept over the acting member's. */
export function showTimesIn(zone: string, from: 'option' | 'member'): void {
  if (from === 'member' && readerZone.fromOption) return;
  readerZone.zone = zone;
  readerZone.fromOption = from === 'option';
}

/** The zone times are shown in. */
export function shownTimeZone(): string {
  return readerZone.zone;
}

/** The zone a member's times are shown in by this command: `--tz` when given, else their own, else UTC. */
export function timeZoneFor(member: { timeZone?: string | null }): string {
  return readerZone.fromOption ? readerZone.zone : member.timeZone || DEFAULT_TIME_ZONE;
}

const atMidnightUtc = (date: Date) =>
  date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0;

/**
 * A date in the one date format of replies, cards and the CLI ("3 Nov 2026"), in the reader's zone, or "—" when
 * there is none. Midnight UTC is a calendar date (a due day, a period's edge) and stays that date in any zone.
 */
export function showDate(value: Date | string | null | undefined): string {
  const date = value ? asDate(value) : undefined;
  if (!date) return '—';
  return personDate(date, atMidnightUtc(date) ? DEFAULT_TIME_ZONE : readerZone.zone);
}

/**
 * A moment in the same format ("3 Nov 2026 14:05"), in the reader's zone, named unless it is UTC
 * ("4 Nov 2026 01:35 GMT+5:30"; `zone` names UTC too), or "—": audit rows, approval expiry; with `seconds`
 * ("3 Nov 2026 14:05:09") for what comes and goes within minutes, such as background jobs.
 */
export function showDateTime(
  value: Date | string | null | undefined,
  options: { seconds?: boolean; zone?: boolean } = {},
): string {
  const date = value ? asDate(value) : undefined;
  if (!date) return '—';
  const zone = readerZone.zone;
  const seconds = options.seconds ? `:${String(date.getUTCSeconds()).padStart(2, '0')}` : '';
  const named = zone === DEFAULT_TIME_ZONE && !options.zone ? '' : ` ${zoneAbbreviation(date, zone)}`;
  return `${personDate(date, zone)} ${personClock(date, zone)}${seconds}${named}`;
}

/** Prints rows as an aligned table with a header; numbers and money right-aligned by the caller's strings. */
export function printTable(headers: string[], rows: string[][], emptyMessage = 'nothing found'): void {
  if (rows.length === 0) {
    process.stdout.write(`${emptyMessage}\n`);
    return;
  }
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n${line(widths.map((width) => '─'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

/** Prints `label: value` pairs aligned. */
export function printFields(fields: [string, string][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) process.stdout.write(`${`${label}:`.padEnd(width + 2)}${value}\n`);
}
