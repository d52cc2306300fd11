/** overdue_summary: who owes what past due, with days overdue, aging buckets and totals per currency. */
import { z } from 'zod';
import type { Currency } from '../domain/money.ts';
import { defineRead } from '../operations/define-operation.ts';
import { type Chart, show } from '../operations/period.ts';

/** Input of overdue_summary. */
export const overdueSummaryInput = z.object({ limit: z.number().int().min(1).max(1000).default(20) }).strict();

const DAY_MS = 86_400_000;

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
        ? `${rows.length} customers have overdue invoices; in ${main.currency.toUpperCase()}, ${main.customers} owe ${show(
            main.amount,
            main.currency,
          )} across ${main.invoices} invoices, ${show(main.over90, main.currency)} of it more than 90 days late. The oldest is ${
            oldest?.name ?? ''
          }, ${oldest?.daysOverdue ?? 0} days overdue.`
        : 'No invoice is overdue. Every open invoice is still within its payment terms.',
      chart,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customers[0]?.customerId ?? null }),
});
