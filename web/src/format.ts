/** Formatting at the edge: money arrives in integer minor units with its currency; dates as ISO strings. */

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

/** A date (and time, unless `dateOnly`) in the reader's locale. */
export function when(iso: string | null | undefined, dateOnly = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateOnly
    ? date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
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
