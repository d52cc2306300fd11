/** list_invoices: invoices by status, customer, creation window, amount, currency, or overdue at the ledger's "now". */
import { z } from 'zod';
import { type BillingConnector, INVOICE_SORT_COLUMNS, type InvoiceQuery } from '../connectors/connector.ts';
import type { Invoice } from '../domain/billing.ts';
import { defineRead } from './define-operation.ts';
import { parseSort, sortField } from './list-sort.ts';
import { currencyField, listingBounds, periodBound } from './period.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of list_invoices. */
export const listInvoicesInput = z
  .object({
    status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']).optional(),
    overdue: z.boolean().default(false),
    customer: z.string().min(1).max(200).optional(),
    /** Created on or after this month or day. */
    from: periodBound.optional(),
    /** Created on or before this month or day (inclusive: the whole month or day). */
    to: periodBound.optional(),
    /** Only invoices whose total is at least this, in minor units. */
    min_amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    currency: currencyField,
    limit: z.number().int().min(1).max(1000).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    sort: sortField(INVOICE_SORT_COLUMNS),
  })
  .strict();

/** An invoice with its customer's name, so a listing reads "Acme Corp" where it would show `cus_…`. */
export type ListedInvoice = Invoice & { customerName: string | null };

/** Adds each invoice's customer name (one batched read of the customers on the page). */
async function withCustomerNames(connector: BillingConnector, invoices: Invoice[]): Promise<ListedInvoice[]> {
  const ids = [...new Set(invoices.map((invoice) => invoice.customerId))];
  const customers = ids.length > 0 ? await connector.getCustomers(ids) : [];
  const names = new Map(customers.map((customer) => [customer.id, customer.name]));
  return invoices.map((invoice) => ({ ...invoice, customerName: names.get(invoice.customerId) ?? null }));
}

/** Lists invoices, newest first (overdue ones: longest overdue first), with how many match in all. */
export const listInvoices = defineRead({
  name: 'list_invoices',
  description:
    'List invoices newest first, with the total count matching: filter by status, customer (id, email or name), overdue, creation date (from/to: YYYY-MM or YYYY-MM-DD, to inclusive), minimum total (min_amount, minor units) and currency; sort by number, status, total, remaining, due or created.',
  kind: 'data.read',
  input: listInvoicesInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const window = listingBounds(input);
    const query: InvoiceQuery = {
      ...(input.status ? { status: input.status } : {}),
      ...(input.overdue ? { overdue: true } : {}),
      ...(customer ? { customerId: customer.id } : {}),
      ...(window.from ? { createdFrom: window.from } : {}),
      ...(window.until ? { createdTo: window.until } : {}),
      ...(input.min_amount !== undefined ? { minTotal: input.min_amount } : {}),
      ...(input.currency ? { currency: input.currency } : {}),
    };
    const sort = parseSort(input.sort);
    const [invoices, count] = await Promise.all([
      connector.listInvoices({ ...query, ...(sort ? { sort } : {}), limit: input.limit, offset: input.offset }),
      connector.countInvoices(query),
    ]);
    return { now: await connector.now(), invoices: await withCustomerNames(connector, invoices), count };
  },
  subjects: (_input, output) => ({ customerId: output.invoices[0]?.customerId ?? null }),
});
