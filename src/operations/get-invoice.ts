/**
 * get_invoice: one invoice by id, by number, or a customer's latest ("the last invoice of Acme"), with its
 * lines, payments, refunds and credit notes.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Invoice } from '../domain/billing.ts';
import { badInput, notFound } from '../domain/errors.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of get_invoice: invoice_id, number, or customer (their latest invoice). */
export const getInvoiceInput = z
  .object({
    invoice_id: z.string().min(1).max(200).optional(),
    number: z.string().min(1).max(100).optional(),
    /** A customer (id, email or name): their latest invoice. */
    customer: z.string().min(1).max(200).optional(),
  })
  .strict();

async function findInvoice(
  connector: BillingConnector,
  input: z.infer<typeof getInvoiceInput>,
): Promise<{ invoice: Invoice | undefined; reference: string }> {
  if (input.invoice_id) return { invoice: await connector.getInvoice(input.invoice_id), reference: input.invoice_id };
  if (input.number)
    return {
      invoice: await connector.getInvoiceByNumber(normaliseInvoiceNumber(input.number)),
      reference: input.number,
    };
  if (input.customer) {
    const customer = await resolveCustomer(connector, input.customer);
    const [latest] = await connector.listInvoices({ customerId: customer.id, limit: 1 });
    return { invoice: latest, reference: `the latest invoice of ${customer.name}` };
  }
  throw badInput('invoice_id', 'give invoice_id, number, or customer (for their latest invoice)');
}

/** Looks up an invoice and what was paid, refunded and credited against it. */
export const getInvoice = defineRead({
  name: 'get_invoice',
  description:
    "Look up one invoice by id (in_…), number (INV-000123) or a customer's latest (customer), with lines, payments, refunds and credit notes.",
  kind: 'data.read',
  input: getInvoiceInput,
  async run(_context, input, connector) {
    const { invoice, reference } = await findInvoice(connector, input);
    if (!invoice) throw notFound('invoice', reference);
    const [charges, creditNotes, customer] = await Promise.all([
      connector.listCharges({ invoiceId: invoice.id, limit: 100 }),
      connector.listCreditNotes({ invoiceId: invoice.id }),
      connector.getCustomer(invoice.customerId),
    ]);
    const refunds = (await Promise.all(charges.map((charge) => connector.listRefunds({ chargeId: charge.id })))).flat();
    return {
      invoice,
      customer: customer ? { id: customer.id, name: customer.name, email: customer.email } : null,
      charges,
      refunds,
      creditNotes,
    };
  },
  subjects: (_input, output) => ({ invoiceId: output.invoice.id, customerId: output.invoice.customerId }),
});

/** Accepts "INV-000123", "inv-123", "#123" or "123" for the ledger's INV-000000 numbers. */
export function normaliseInvoiceNumber(text: string): string {
  const trimmed = text.trim().replace(/^#/, '');
  const digits = /^(?:inv-?)?(\d{1,9})$/i.exec(trimmed);
  return digits?.[1] ? `INV-${digits[1].padStart(6, '0')}` : trimmed;
}
