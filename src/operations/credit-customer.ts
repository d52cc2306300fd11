/** credit_customer: add credit to a customer's balance, used by their next invoices (kind money.credit). */
import { z } from 'zod';
import { notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, idOf, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of credit_customer. */
export const creditCustomerInput = z
  .object({
    customer_id: idOf('cus', 'customer'),
    amount: minorUnits,
    currency: currencyCode,
    ...writeContextFields,
  })
  .strict();

/** Credits a customer's balance in their own currency. */
export const creditCustomer = defineWrite({
  name: 'credit_customer',
  description:
    "Add credit to a customer's balance (minor units, in the customer's currency); it pays down their next invoices.",
  kind: 'money.credit',
  input: creditCustomerInput,
  destructive: false,
  async facts(_context, input, connector) {
    const customer = await connector.getCustomer(input.customer_id);
    if (!customer) throw notFound('customer', input.customer_id);
    const show = (value: number) => formatMoney(money(value, customer.currency));
    const creditBefore = -customer.balance;
    return {
      decision: {
        money: { amount: input.amount, currency: input.currency },
        customerIds: [customer.id],
        targetCount: 1,
        reversible: true,
        customerCurrency: customer.currency,
      },
      preview: {
        summary: `Credit ${formatMoney(money(input.amount, input.currency))} to ${customer.name}'s balance`,
        changes: [
          { field: `${customer.name} credit balance`, from: show(creditBefore), to: show(creditBefore + input.amount) },
        ],
        money: { amount: input.amount, currency: input.currency },
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.id],
        reversible: true,
        details: { customerCurrency: customer.currency },
      },
      subjects: { customerId: customer.id },
      bound: {
        customerId: customer.id,
        amount: input.amount,
        currency: input.currency,
        customerCurrency: customer.currency,
      },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.creditCustomer(
      {
        customerId: input.customer_id,
        amount: input.amount,
        currency: input.currency,
        description: input.reason ?? 'credit',
      },
      { idempotencyKey },
    );
  },
});
