/** retry_invoice: attempt payment of an open invoice now (kind billing.change). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of retry_invoice. */
export const retryInvoiceInput = z
  .object({
    invoice_id: idOf('in', 'invoice'),
    ...writeContextFields,
  })
  .strict();

/** Charges the customer's card for what an open invoice still asks. */
export const retryInvoice = defineWrite({
  name: 'retry_invoice',
  description: "Retry payment of an open invoice now, charging the customer's card for what remains.",
  kind: 'billing.change',
  input: retryInvoiceInput,
  destructive: false,
  async facts(_context, input, connector) {
    const invoice = await connector.getInvoice(input.invoice_id);
    if (!invoice) throw notFound('invoice', input.invoice_id);
    if (invoice.status !== 'open')
      throw invalidState(`invoice ${invoice.number} is ${invoice.status}; only open invoices can be retried`);
    const customer = await connector.getCustomer(invoice.customerId);
    const amount = formatMoney(money(invoice.amountRemaining, invoice.currency));
    return {
      decision: {
        money: { amount: invoice.amountRemaining, currency: invoice.currency },
        customerIds: [invoice.customerId],
        targetCount: 1,
        reversible: true,
      },
      preview: {
        summary: `Charge ${customer?.name ?? invoice.customerId} ${amount} for invoice ${invoice.number} (attempt ${invoice.attemptCount + 1})`,
        changes: [
          { field: `invoice ${invoice.number} attempts`, from: invoice.attemptCount, to: invoice.attemptCount + 1 },
        ],
        money: { amount: invoice.amountRemaining, currency: invoice.currency },
        customers: [{ id: invoice.customerId, name: customer?.name ?? '' }],
        targets: [invoice.id],
        reversible: true,
        details: {
          card: customer?.paymentMethod ? `${customer.paymentMethod.brand} •••• ${customer.paymentMethod.last4}` : null,
        },
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
    return connector.payInvoice({ invoiceId: input.invoice_id }, { idempotencyKey });
  },
});
