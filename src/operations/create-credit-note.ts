/** create_credit_note: reduce what an invoice asks for, or credit the balance when it is paid (kind money.credit). */
import { z } from 'zod';
import { invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of create_credit_note. */
export const createCreditNoteInput = z
  .object({ invoice_id: idOf('in', 'invoice'), amount: minorUnits, ...writeContextFields })
  .strict();

/** Issues a credit note against an invoice. */
export const createCreditNote = defineWrite({
  name: 'create_credit_note',
  description:
    'Issue a credit note on an invoice: lowers what an open invoice asks, or credits the balance for a paid one.',
  kind: 'money.credit',
  input: createCreditNoteInput,
  destructive: false,
  async facts(_context, input, connector) {
    const invoice = await connector.getInvoice(input.invoice_id);
    if (!invoice) throw notFound('invoice', input.invoice_id);
    if (invoice.status !== 'open' && invoice.status !== 'paid')
      throw invalidState(`invoice ${invoice.number} is ${invoice.status}`);
    const customer = await connector.getCustomer(invoice.customerId);
    const show = (value: number) => formatMoney(money(value, invoice.currency));
    return {
      decision: {
        money: { amount: input.amount, currency: invoice.currency },
        customerIds: [invoice.customerId],
        targetCount: 1,
        reversible: false,
        ...(customer ? { customerCurrency: customer.currency } : {}),
      },
      preview: {
        summary: `Credit note of ${show(input.amount)} on ${invoice.number} (${customer?.name ?? invoice.customerId}): ${invoice.status === 'open' ? 'lowers what is owed' : 'credited to their balance'}`,
        changes: [
          invoice.status === 'open'
            ? {
                field: `invoice ${invoice.number} remaining`,
                from: show(invoice.amountRemaining),
                to: show(Math.max(0, invoice.amountRemaining - input.amount)),
              }
            : {
                field: `${customer?.name ?? invoice.customerId} credit balance`,
                from: show(-(customer?.balance ?? 0)),
                to: show(-(customer?.balance ?? 0) + input.amount),
              },
        ],
        money: { amount: input.amount, currency: invoice.currency },
        customers: [{ id: invoice.customerId, name: customer?.name ?? '' }],
        targets: [invoice.id],
        reversible: false,
        details: { invoiceTotal: invoice.total },
      },
      subjects: { customerId: invoice.customerId, invoiceId: invoice.id },
      bound: {
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        amount: input.amount,
        currency: invoice.currency,
        status: invoice.status,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.createCreditNote(
      { invoiceId: input.invoice_id, amount: input.amount, reason: input.reason ?? '' },
      { idempotencyKey },
    );
  },
});
