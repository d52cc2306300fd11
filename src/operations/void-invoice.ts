/** void_invoice: cancel what an open or draft invoice asks for; cannot be undone (kind billing.change). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of void_invoice. */
export const voidInvoiceInput = z.object({ invoice_id: idOf('in', 'invoice'), ...writeContextFields }).strict();

/** Voids an invoice. */
export const voidInvoice = defineWrite({
  name: 'void_invoice',
  description: 'Void an open or draft invoice: the customer no longer owes it. Cannot be undone.',
  kind: 'billing.change',
  input: voidInvoiceInput,
  destructive: true,
  async facts(_context, input, connector) {
    const invoice = await connector.getInvoice(input.invoice_id);
    if (!invoice) throw notFound('invoice', input.invoice_id);
    if (invoice.status !== 'open' && invoice.status !== 'draft')
      throw invalidState(`invoice ${invoice.number} is ${invoice.status}; only open or draft invoices can be voided`);
    const customer = await connector.getCustomer(invoice.customerId);
    return {
      decision: {
        money: { amount: invoice.amountRemaining, currency: invoice.currency },
        customerIds: [invoice.customerId],
        targetCount: 1,
        reversible: false,
      },
      preview: {
        summary: `Void invoice ${invoice.number} of ${customer?.name ?? invoice.customerId}: ${formatMoney(money(invoice.amountRemaining, invoice.currency))} will no longer be owed`,
        changes: [{ field: `invoice ${invoice.number} status`, from: invoice.status, to: 'void' }],
        money: { amount: invoice.amountRemaining, currency: invoice.currency },
        customers: [{ id: invoice.customerId, name: customer?.name ?? '' }],
        targets: [invoice.id],
        reversible: false,
        details: { total: invoice.total, amountPaid: invoice.amountPaid },
      },
      subjects: { customerId: invoice.customerId, invoiceId: invoice.id },
      bound: {
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        amount: invoice.amountRemaining,
        currency: invoice.currency,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.voidInvoice({ invoiceId: input.invoice_id }, { idempotencyKey });
  },
});
