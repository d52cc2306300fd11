/** find_double_charges: a customer charged twice (same amount, same currency, close together), with the evidence. */
import { z } from 'zod';
import type { Charge } from '../domain/billing.ts';
import { formatMoney, money } from '../domain/money.ts';
import { defineRead } from './define-operation.ts';
import { resolveWindow, windowFields } from './period.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of find_double_charges. */
export const findDoubleChargesInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    ...windowFields,
    within_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 31)
      .default(72),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

/** The evidence for one suspected double charge. */
export interface DoubleCharge {
  customer: { id: string; name: string; email: string };
  charges: (Pick<Charge, 'id' | 'amount' | 'currency' | 'amountRefunded' | 'createdAt' | 'invoiceId'> & {
    invoiceNumber: string | null;
  })[];
  hoursApart: number;
  /** How much of the later charge can still be refunded. */
  refundable: number;
  summary: string;
}

/** Finds suspected double charges. */
export const findDoubleCharges = defineRead({
  name: 'find_double_charges',
  description:
    'Find double charges: two succeeded charges of one customer for the same amount within a few hours or days (default 72 h, last 3 months), with both charges, their invoices and what is still refundable.',
  kind: 'data.read',
  input: findDoubleChargesInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const window = resolveWindow(input, await connector.now(), 3);
    const pairs = await connector.findDoubleCharges({
      ...(customer ? { customerId: customer.id } : {}),
      ...window,
      withinHours: input.within_hours,
      limit: input.limit,
    });
    // The customers and invoices of every pair in two reads, not three reads a pair.
    const charged = pairs.flatMap(({ first, second }) => [first, second]);
    const owners = new Map(
      customer
        ? [[customer.id, customer]]
        : (await connector.getCustomers(pairs.map(({ second }) => second.customerId))).map((c) => [c.id, c]),
    );
    const invoiceIds = charged.flatMap((charge) => (charge.invoiceId ? [charge.invoiceId] : []));
    const numbers = new Map((await connector.getInvoices(invoiceIds)).map((invoice) => [invoice.id, invoice.number]));
    const found: DoubleCharge[] = [];
    for (const { first, second } of pairs) {
      const owner = owners.get(second.customerId);
      const charges = [first, second].map((charge) => ({
        id: charge.id,
        amount: charge.amount,
        currency: charge.currency,
        amountRefunded: charge.amountRefunded,
        createdAt: charge.createdAt,
        invoiceId: charge.invoiceId,
        invoiceNumber: (charge.invoiceId && numbers.get(charge.invoiceId)) || null,
      }));
      const hoursApart = Math.round((second.createdAt.getTime() - first.createdAt.getTime()) / 360_000) / 10;
      const name = owner?.name ?? second.customerId;
      const amount = formatMoney(money(second.amount, second.currency));
      found.push({
        customer: { id: second.customerId, name, email: owner?.email ?? '' },
        charges,
        hoursApart,
        refundable: second.amount - second.amountRefunded,
        summary: `${name} was charged ${amount} twice, ${hoursApart} hours apart (${charges
          .map((charge) => `${charge.id}${charge.invoiceNumber ? ` for ${charge.invoiceNumber}` : ''}`)
          .join(
            ' and ',
          )})${second.amountRefunded > 0 ? `; ${formatMoney(money(second.amountRefunded, second.currency))} of the second is already refunded` : ''}`,
      });
    }
    return { window, doubleCharges: found };
  },
  subjects: (_input, output) => ({
    customerId: output.doubleCharges[0]?.customer.id ?? null,
    chargeId: output.doubleCharges[0]?.charges[1]?.id ?? null,
  }),
});
