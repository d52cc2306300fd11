/** create_customer: a new paying customer (kind billing.change). */
import { z } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, writeContextFields } from './write-fields.ts';

/** Input of create_customer. */
export const createCustomerInput = z
  .object({
    name: z.string().min(1).max(200),
    email: z.email().max(320),
    country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code, e.g. US'),
    currency: currencyCode,
    ...writeContextFields,
  })
  .strict();

/** Creates a customer; an email already in use is refused. */
export const createCustomer = defineWrite({
  name: 'create_customer',
  description: 'Create a customer (name, email, two-letter country, billing currency).',
  kind: 'billing.change',
  input: createCustomerInput,
  destructive: false,
  async facts(_context, input, connector) {
    const [existing] = await connector.findCustomers({ email: input.email, limit: 1 });
    if (existing)
      throw new LeashError('conflict', `${input.email} is already customer ${existing.name} (${existing.id})`);
    return {
      decision: { customerIds: [], targetCount: 1, reversible: true },
      preview: {
        summary: `Create customer ${input.name} <${input.email}> in ${input.country}, billed in ${input.currency.toUpperCase()}`,
        changes: [{ field: 'customer', from: null, to: input.name }],
        money: null,
        customers: [],
        targets: [],
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: { email: input.email.toLowerCase(), country: input.country, currency: input.currency },
    };
  },
  async execute(input, connector, idempotencyKey) {
    return connector.createCustomer(
      { name: input.name, email: input.email, country: input.country, currency: input.currency },
      { idempotencyKey },
    );
  },
});
