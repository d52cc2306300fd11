/**
 * upcoming_invoices: what each renewing subscription's next invoice will be, soonest first. The connector prices
 * it (the ledger with its own renewal functions), so a preview is the invoice the renewal issues; metered usage
 * is not known ahead and shows as a zero line.
 */
import { z } from 'zod';
import type { SubscriptionQuery } from '../connectors/connector.ts';
import type { Currency } from '../domain/money.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of upcoming_invoices. */
export const upcomingInvoicesInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

/** Previews the next invoice of live subscriptions that will renew (not set to cancel at period end). */
export const upcomingInvoices = defineRead({
  name: 'upcoming_invoices',
  description:
    'Preview the next invoice of each live subscription (dated its current period end, soonest first), org-wide or for one customer: lines, amount in minor units, totals per currency of the listed invoices, and how many subscriptions will renew in all. Metered usage is billed on actual use and shows as 0.',
  kind: 'data.read',
  input: upcomingInvoicesInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const query: SubscriptionQuery = { renewing: true, ...(customer ? { customerId: customer.id } : {}) };
    const [page, count] = await Promise.all([
      connector.listSubscriptions({ ...query, order: 'renewal', limit: input.limit, offset: input.offset }),
      connector.countSubscriptions(query),
    ]);
    const invoices = (await connector.previewRenewals(page)).map((preview) => ({
      customerId: preview.customerId,
      customerName: preview.customerName,
      subscriptionId: preview.subscriptionId,
      date: preview.date.toISOString(),
      currency: preview.currency,
      amount: preview.total,
      lines: preview.lines,
    }));
    const sums = new Map<Currency, number>();
    for (const invoice of invoices) sums.set(invoice.currency, (sums.get(invoice.currency) ?? 0) + invoice.amount);
    const totals = [...sums.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) => ({ currency, amount }));
    return { now: await connector.now(), invoices, totals, count };
  },
  subjects: (input, output) => ({ customerId: input.customer ? (output.invoices[0]?.customerId ?? null) : null }),
});
