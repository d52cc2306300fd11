/** get_invoice: one invoice by id or number, with its lines, payments, refunds and credit notes. */
import { z } from 'zod';
import { badInput, notFound } from '../domain/errors.ts';
import { defineRead } from './define-operation.ts';

/** Input of get_invoice: invoice_id or number. */
export const getInvoiceInput = z
  .object({
    invoice_id: z.string().min(1).max(200).optional(),
    number: z.string().min(1).max(100).optional(),
  })
  .strict();

/** Looks up an invoice and what was paid, refunded and credited against it. */
export const getInvoice = defineRead({
  name: 'get_invoice',
  description:
    'Look up one invoice by id (in_…) or number (INV-000123), with lines, payments, refunds and credit notes.',
  kind: 'data.read',
  input: getInvoiceInput,
  async run(_context, input, connector) {
    const reference = input.invoice_id ?? input.number;
    if (!reference) throw badInput('invoice_id', 'give invoice_id or number');
    const invoice = input.invoice_id
      ? await connector.getInvoice(input.invoice_id)
      : await connector.getInvoiceByNumber(normaliseInvoiceNumber(reference));
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
