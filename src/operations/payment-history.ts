/** payment_history: a customer's payments — succeeded, failed, refunded — with totals per currency. */
import { z } from 'zod';
import { CHARGE_SORT_COLUMNS } from '../connectors/connector.ts';
import type { Currency } from '../domain/money.ts';
import { defineRead } from './define-operation.ts';
import { parseSort, sortField } from './list-sort.ts';
import { show } from './period.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of payment_history. */
export const paymentHistoryInput = z
  .object({
    customer: z.string().min(1).max(200),
    limit: z.number().int().min(1).max(1000).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    sort: sortField(CHARGE_SORT_COLUMNS),
  })
  .strict();

/** A customer's payment history: a page of payments (newest first unless sorted) and how many there are. */
export const paymentHistory = defineRead({
  name: 'payment_history',
  description:
    "A customer's payments, newest first: amount, card or external, succeeded or failed (with the reason), refunded amount and invoice; totals paid, refunded and failed per currency over the payments shown; the count of all; sort by created, amount, status or refunded.",
  kind: 'data.read',
  input: paymentHistoryInput,
  async run(_context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer);
    const sort = parseSort(input.sort);
    const [charges, count] = await Promise.all([
      connector.listCharges({
        customerId: customer.id,
        limit: input.limit,
        offset: input.offset,
        ...(sort ? { sort } : {}),
      }),
      connector.countCharges({ customerId: customer.id }),
    ]);
    const totals = new Map<Currency, { currency: Currency; paid: number; refunded: number; failed: number }>();
    for (const charge of charges) {
      const total = totals.get(charge.currency) ?? { currency: charge.currency, paid: 0, refunded: 0, failed: 0 };
      if (charge.status === 'succeeded') total.paid += charge.amount;
      else total.failed += charge.amount;
      total.refunded += charge.amountRefunded;
      totals.set(charge.currency, total);
    }
    const payments = [];
    for (const charge of charges) {
      const invoice = charge.invoiceId ? await connector.getInvoice(charge.invoiceId) : undefined;
      payments.push({ ...charge, invoiceNumber: invoice?.number ?? null });
    }
    const failed = charges.filter((charge) => charge.status === 'failed').length;
    const parts = [...totals.values()].map(
      (total) =>
        `${show(total.paid, total.currency)} paid${total.refunded ? `, ${show(total.refunded, total.currency)} refunded` : ''}`,
    );
    return {
      customer: { id: customer.id, name: customer.name, email: customer.email },
      payments,
      count,
      totals: [...totals.values()],
      summary:
        charges.length === 0
          ? `${customer.name} has made no payments.`
          : `${customer.name}: ${charges.length} payment attempt(s) shown, ${failed} failed; ${parts.join('; ')}.`,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customer.id }),
});
