/** overdue_summary: who owes what past due, with days overdue, aging buckets and totals per currency. */
import { z } from 'zod';
import type { Currency } from '../domain/money.ts';
import { plural } from '../domain/person-time.ts';
import { defineRead } from '../operations/define-operation.ts';
import { type Chart, show } from '../operations/period.ts';

/** Input of overdue_summary. */
export const overdueSummaryInput = z.object({ limit: z.number().int().min(1).max(1000).default(20) }).strict();

const DAY_MS = 86_400_000;

/**
 * The answer in words: how many customers owe, every currency's total (a customer owing in two currencies counts
 * once in the first count and once in each currency's), what of it is over 90 days late, and the oldest.
 */
export function explainOverdue(
  rows: readonly { customerId: string }[],
  totals: readonly { currency: Currency; customers: number; invoices: number; amount: number; over90: number }[],
  oldest: { name: string; daysOverdue: number } | undefined,
): string {
  const owing = new Set(rows.map((row) => row.customerId)).size;
  const each = totals.map(
    (total) =>
      `${show(total.amount, total.currency)} (${plural(total.invoices, 'invoice')}, ${plural(total.customers, 'customer')}${
        total.over90 > 0 ? `; ${show(total.over90, total.currency)} of it more than 90 days late` : ''
      })`,
  );
  const late = totals.some((total) => total.over90 > 0) ? '' : ' None of it is more than 90 days late.';
  const first = oldest
    ? ` The oldest overdue invoice is ${oldest.name}'s, ${plural(oldest.daysOverdue, 'day')} past due.`
    : '';
  return `${plural(owing, 'customer')} ${owing === 1 ? 'has' : 'have'} overdue invoices: ${each.join(', ')}.${late}${first}`;
}

/** Overdue invoices per customer. */
export const overdueSummary = defineRead({
  name: 'overdue_summary',
  description:
    'Customers with overdue invoices: amount past due, days overdue of the oldest invoice, aging (30/60/90+ days) and totals per currency.',
  kind: 'data.read',
  input: overdueSummaryInput,
  async run(_context, input, connector) {
    const now = await connector.now();
    const rows = await connector.overdueByCustomer({ at: now, limit: 100_000 });
    const totals = new Map<
      Currency,
      { currency: Currency; customers: number; invoices: number; amount: number; over90: number }
    >();
    for (const row of rows) {
      const total = totals.get(row.currency) ?? {
        currency: row.currency,
        customers: 0,
        invoices: 0,
        amount: 0,
        over90: 0,
      };
      total.customers += 1;
      total.invoices += row.invoices;
      total.amount += row.amount;
      total.over90 += row.over90;
      totals.set(row.currency, total);
    }
    const customers = rows.slice(0, input.limit).map((row) => ({
      ...row,
      daysOverdue: Math.floor((now.getTime() - row.oldestDueDate.getTime()) / DAY_MS),
    }));
    const byCurrency = [...totals.values()].sort((a, b) => b.customers - a.customers);
    const main = byCurrency[0];
    const chart: Chart = {
      kind: 'stacked-bar',
      x: customers.map((customer) => customer.name),
      series: [
        { name: '0-30 days', values: customers.map((row) => row.amount - row.over30) },
        { name: '31-60 days', values: customers.map((row) => row.over30 - row.over60) },
        { name: '61-90 days', values: customers.map((row) => row.over60 - row.over90) },
        { name: '90+ days', values: customers.map((row) => row.over90) },
      ],
      unit: 'minor units',
    };
    const oldest = [...customers].sort((a, b) => b.daysOverdue - a.daysOverdue)[0];
    return {
      now,
      totals: byCurrency,
      customers,
      explanation: main
        ? explainOverdue(rows, byCurrency, oldest)
        : 'No invoice is overdue. Every open invoice is still within its payment terms.',
      chart,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customers[0]?.customerId ?? null }),
});
