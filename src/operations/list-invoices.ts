/** list_invoices: invoices by status, customer, or overdue at the billing system's "now". */
import { z } from 'zod';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of list_invoices. */
export const listInvoicesInput = z
  .object({
    status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']).optional(),
    overdue: z.boolean().default(false),
    customer: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

/** Lists invoices, newest first. */
export const listInvoices = defineRead({
  name: 'list_invoices',
  description: 'List invoices, newest first: by status, by customer (id, email or name), or only overdue ones.',
  kind: 'data.read',
  input: listInvoicesInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const invoices = await connector.listInvoices({
      ...(input.status ? { status: input.status } : {}),
      ...(input.overdue ? { overdue: true } : {}),
      ...(customer ? { customerId: customer.id } : {}),
      limit: input.limit,
      offset: input.offset,
    });
    return { now: await connector.now(), invoices };
  },
  subjects: (_input, output) => ({ customerId: output.invoices[0]?.customerId ?? null }),
});
