/** get_customer: one customer by id, email or fuzzy name, with subscriptions, recent invoices and payments. */
import { z } from 'zod';
import { badInput } from '../domain/errors.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of get_customer: exactly one of customer_id, email or name. */
export const getCustomerInput = z
  .object({
    customer_id: z.string().min(1).max(200).optional(),
    email: z.string().min(3).max(320).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();

/** Looks up a customer and the records a support agent needs next to it. */
export const getCustomer = defineRead({
  name: 'get_customer',
  description: 'Look up one customer by id, email or (fuzzy) name, with subscriptions, recent invoices and payments.',
  kind: 'data.read',
  input: getCustomerInput,
  async run(_context, input, connector) {
    const reference = input.customer_id ?? input.email ?? input.name;
    if (!reference) throw badInput('customer_id', 'give customer_id, email or name');
    const customer = await resolveCustomer(connector, reference);
    const [subscriptions, invoices, charges] = await Promise.all([
      connector.listSubscriptions({ customerId: customer.id, limit: 50 }),
      connector.listInvoices({ customerId: customer.id, limit: 10 }),
      connector.listCharges({ customerId: customer.id, limit: 10 }),
    ]);
    return { customer, subscriptions, invoices, charges };
  },
  subjects: (_input, output) => ({ customerId: output.customer.id }),
});
