/** Printing for the CLI: JSON for machines, aligned tables and formatted money for people. */
import { formatMoney, isCurrency } from '../domain/money.ts';

/** Prints a value as pretty JSON (dates as ISO strings). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Formats minor units of a currency for people ("$1,245.00", "¥500"). */
export function showMoney(amount: number, currency: string): string {
  return isCurrency(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;
}

/** Formats a date as YYYY-MM-DD (UTC), or "—". */
export function showDate(value: Date | string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toISOString().slice(0, 10);
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
