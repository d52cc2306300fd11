/**
 * `leash demo`'s summary in words, not JSON: the history it covers, what the business holds and the stories to
 * find by name (Globex's double checkout, Acme Corp's double charge). `--json` keeps the machine-readable summary.
 */
import { personDate, plural } from '../domain/person-time.ts';
import type { DemoSummary } from './generate-demo.ts';

/** What the summary needs besides the generator's figures. */
export interface DemoSummaryContext {
  orgName: string;
  location: string;
  months: number;
  /** Customer names by id, for the stories to find. */
  names: ReadonlyMap<string, string>;
}

function counts(record: Record<string, number>): string {
  return Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `${count.toLocaleString('en-US')} ${key.replaceAll('_', ' ')}`)
    .join(', ');
}

function names(ids: readonly string[], context: DemoSummaryContext): string {
  const unique = [...new Set(ids.map((id) => context.names.get(id) ?? id))];
  return unique.length === 0 ? 'none' : unique.join(', ');
}

/** The summary as lines a person reads. */
export function demoSummaryLines(summary: DemoSummary, context: DemoSummaryContext): string[] {
  const failed = Object.values(summary.failedPayments).reduce((total, count) => total + count, 0);
  const rows: [string, string][] = [
    [
      'History',
      `${personDate(summary.from)} to ${personDate(summary.to)} (${plural(context.months, 'month')}), seed "${summary.seed}"`,
    ],
    ['Customers', `${summary.customers.toLocaleString('en-US')}; subscriptions: ${counts(summary.subscriptions)}`],
    [
      'Invoices',
      `${summary.invoices.toLocaleString('en-US')} (${summary.overdueInvoices.toLocaleString('en-US')} overdue); ${plural(summary.charges, 'payment')}, ${failed.toLocaleString('en-US')} failed; ${plural(summary.refunds, 'refund')}`,
    ],
    ['Duplicates', `${names(summary.duplicateSubscriptions, context)} (leash duplicates)`],
    ['Charged twice', names(summary.doubleCharges, context)],
    ['Built in', `${summary.seconds} s (${plural(summary.rowsWritten, 'row')})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Built the demo business of ${context.orgName} in ${context.location}.`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ];
}
