/** search_customers: fuzzy search by name, email, id or invoice number. */
import { z } from 'zod';
import { defineRead } from './define-operation.ts';

/** Input of search_customers. */
export const searchCustomersInput = z
  .object({
    query: z.string().max(200).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
      .transform((value) => value.toUpperCase())
      .optional(),
    limit: z.number().int().min(1).max(500).default(20),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/** Finds customers; best match first. */
export const searchCustomers = defineRead({
  name: 'search_customers',
  description: 'Search customers by name (fuzzy), email, id or invoice number; optionally by country.',
  kind: 'data.read',
  input: searchCustomersInput,
  async run(_context, input, connector) {
    const customers = await connector.findCustomers({
      ...(input.query ? { text: input.query } : {}),
      ...(input.country ? { country: input.country } : {}),
      limit: input.limit,
      offset: input.offset,
    });
    return { customers };
  },
});
