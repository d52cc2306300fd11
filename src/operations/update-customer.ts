/** update_customer: change a customer's billing details: name, email, country, address (kind billing.change). */
import { z } from 'zod';
import { showValue } from '../domain/change-lines.ts';
import { badInput, notFound } from '../domain/errors.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

const address = z
  .object({
    line1: z.string().max(200).optional(),
    line2: z.string().max(200).optional(),
    city: z.string().max(100).optional(),
    postalCode: z.string().max(20).optional(),
    state: z.string().max(100).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  })
  .strict();

/** Input of update_customer. */
export const updateCustomerInput = z
  .object({
    customer_id: idOf('cus', 'customer'),
    name: z.string().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'a two-letter country code, e.g. DE')
      .optional(),
    address: address.optional(),
    ...writeContextFields,
  })
  .strict();

/** Updates the given fields of a customer; the preview lists each change. */
export const updateCustomer = defineWrite({
  name: 'update_customer',
  description: "Update a customer's billing details (name, email, country, address).",
  kind: 'billing.change',
  input: updateCustomerInput,
  destructive: false,
  async facts(_context, input, connector) {
    const customer = await connector.getCustomer(input.customer_id);
    if (!customer) throw notFound('customer', input.customer_id);
    const changes = (['name', 'email', 'country', 'address'] as const)
      .filter((field) => input[field] !== undefined)
      .map((field) => ({ field, from: customer[field], to: input[field] }));
    if (changes.length === 0) throw badInput('customer_id', 'nothing to change: give name, email, country or address');
    return {
      decision: {
        customerIds: [customer.id],
        targetCount: 1,
        reversible: true,
        changedFields: changes.map((change) => change.field),
      },
      preview: {
        // Every new value in the summary too: it is the line inboxes and cards lead with.
        summary: `Update ${customer.name}: ${changes.map((change) => `${change.field} ${showValue(change.from)} → ${showValue(change.to)}`).join('; ')}`,
        changes,
        money: null,
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.id],
        reversible: true,
        details: { fields: changes.map((change) => change.field) },
      },
      subjects: { customerId: customer.id },
      bound: { customerId: customer.id, changes: JSON.parse(JSON.stringify(changes)) },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.updateCustomer(
      {
        customerId: input.customer_id,
        ...(input.name ? { name: input.name } : {}),
        ...(input.email ? { email: input.email } : {}),
        ...(input.country ? { country: input.country } : {}),
        ...(input.address ? { address: input.address } : {}),
      },
      { idempotencyKey },
    );
  },
});
