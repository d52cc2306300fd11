/** record_payment: record money received outside Leash (a bank transfer) against an open invoice (kind billing.change). */
import { z } from 'zod';
import { badInput, invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of record_payment. */
export const recordPaymentInput = z
  .object({
    invoice_id: idOf('in', 'invoice'),
    amount: minorUnits,
    reference: z.string().min(1).max(200),
    ...writeContextFields,
  })
  .strict();

/** Marks an open invoice (partly) paid by an outside payment. */
export const recordPayment = defineWrite({
  name: 'record_payment',
  description: 'Record a payment made outside Leash (bank transfer, cheque) against an open invoice.',
  kind: 'billing.change',
  input: recordPaymentInput,
  destructive: false,
  async facts(_context, input, connector) {
    const invoice = await connector.getInvoice(input.invoice_id);
    if (!invoice) throw notFound('invoice', input.invoice_id);
    if (invoice.status !== 'open')
      throw invalidState(`invoice ${invoice.number} is ${invoice.status}; payments are recorded against open invoices`);
    if (input.amount > invoice.amountRemaining)
      throw badInput(
        'amount',
        `invoice ${invoice.number} only has ${formatMoney(money(invoice.amountRemaining, invoice.currency))} left to pay`,
      );
    const customer = await connector.getCustomer(invoice.customerId);
    return {
      decision: {
        money: { amount: input.amount, currency: invoice.currency },
        customerIds: [invoice.customerId],
        targetCount: 1,
        reversible: true,
      },
      preview: {
        summary: `Record ${formatMoney(money(input.amount, invoice.currency))} received (${input.reference}) against ${invoice.number} of ${customer?.name ?? invoice.customerId}`,
        changes: [
          {
            field: `invoice ${invoice.number} remaining`,
            from: invoice.amountRemaining,
            to: invoice.amountRemaining - input.amount,
          },
        ],
        money: { amount: input.amount, currency: invoice.currency },
        customers: [{ id: invoice.customerId, name: customer?.name ?? '' }],
        targets: [invoice.id],
        reversible: true,
        details: {},
      },
      subjects: { customerId: invoice.customerId, invoiceId: invoice.id },
      bound: {
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        amount: input.amount,
        currency: invoice.currency,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.recordPayment(
      { invoiceId: input.invoice_id, amount: input.amount, reference: input.reference },
      { idempotencyKey },
    );
  },
});
