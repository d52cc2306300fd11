/** Printing for the CLI: JSON for machines, aligned tables and formatted money for people. */
import { formatMoney, isCurrency } from '../domain/money.ts';
import { asDate, personClock, personDate } from '../domain/person-time.ts';

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

/** A date in the one date format of replies, cards and the CLI ("3 Nov 2026", UTC), or "—" when there is none. */
export function showDate(value: Date | string | null | undefined): string {
  const date = value ? asDate(value) : undefined;
  return date ? personDate(date) : '—';
}

/**
 * A moment in the same format ("3 Nov 2026 14:05", UTC), or "—": audit rows, approval expiry; with `seconds`
 * ("3 Nov 2026 14:05:09") for what comes and goes within minutes, such as background jobs.
 */
export function showDateTime(value: Date | string | null | undefined, options: { seconds?: boolean } = {}): string {
  const date = value ? asDate(value) : undefined;
  if (!date) return '—';
  const seconds = options.seconds ? `:${String(date.getUTCSeconds()).padStart(2, '0')}` : '';
  return `${personDate(date)} ${personClock(date)}${seconds}`;
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
