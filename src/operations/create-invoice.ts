/** create_invoice: a one-off invoice, finalized and sent to the customer (kind billing.change). */
import { z } from 'zod';
import { badInput, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, idOf, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of create_invoice. */
export const createInvoiceInput = z
  .object({
    customer_id: idOf('cus', 'customer'),
    currency: currencyCode.optional(),
    lines: z
      .array(
        z
          .object({
            description: z.string().min(1).max(500),
            amount: minorUnits,
            quantity: z.number().int().min(1).max(1_000_000).default(1),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    days_until_due: z.number().int().min(0).max(365).default(30),
    memo: z.string().max(2000).optional(),
    send: z.boolean().default(true),
    ...writeContextFields,
  })
  .strict();

/** Creates, finalizes and (by default) sends an invoice. */
export const createInvoice = defineWrite({
  name: 'create_invoice',
  description: 'Create a one-off invoice (lines in minor units), finalize it and send it to the customer.',
  kind: 'billing.change',
  input: createInvoiceInput,
  destructive: false,
  async facts(_context, input, connector) {
    const customer = await connector.getCustomer(input.customer_id);
    if (!customer) throw notFound('customer', input.customer_id);
    const currency = input.currency ?? customer.currency;
    if (currency !== customer.currency)
      throw badInput('currency', `${customer.name} is billed in ${customer.currency.toUpperCase()}`);
    const subtotal = input.lines.reduce((sum, line) => sum + line.amount * line.quantity, 0);
    return {
      decision: { money: { amount: subtotal, currency }, customerIds: [customer.id], targetCount: 1, reversible: true },
      preview: {
        summary: `Invoice ${customer.name} ${formatMoney(money(subtotal, currency))} before tax (${input.lines.length} line${input.lines.length === 1 ? '' : 's'}), due in ${input.days_until_due} days${input.send ? ', sent by email' : ''}`,
        changes: [
          ...input.lines.map((line) => ({
            field: 'invoice line',
            from: null,
            to: `${line.description}: ${line.quantity} × ${formatMoney(money(line.amount, currency))}`,
          })),
          ...(input.memo ? [{ field: 'invoice memo', from: null, to: input.memo }] : []),
        ],
        money: { amount: subtotal, currency },
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.id],
        reversible: true,
        details: { taxRateBps: customer.taxRateBps },
      },
      subjects: { customerId: customer.id },
      bound: { customerId: customer.id, currency, subtotal },
    };
  },
  async execute(input, connector, idempotencyKey) {
    const draft = await connector.createInvoice(
      {
        customerId: input.customer_id,
        ...(input.currency ? { currency: input.currency } : {}),
        lines: input.lines,
        daysUntilDue: input.days_until_due,
        ...(input.memo ? { memo: input.memo } : {}),
      },
      { idempotencyKey: `${idempotencyKey}_create` },
    );
    const open = await connector.finalizeInvoice(
      { invoiceId: draft.id },
      { idempotencyKey: `${idempotencyKey}_finalize` },
    );
    return input.send
      ? connector.sendInvoice({ invoiceId: open.id }, { idempotencyKey: `${idempotencyKey}_send` })
      : open;
  },
});
