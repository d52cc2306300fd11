/** search_customers: fuzzy search by name, email, id or invoice number. */
import { z } from 'zod';
import { CUSTOMER_SORT_COLUMNS } from '../connectors/connector.ts';
import { defineRead } from './define-operation.ts';
import { parseSort, sortField } from './list-sort.ts';

/** A text search counts its matches up to this many; beyond it the answer says "at least". */
export const COUNT_CAP = 10_000;

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
    sort: sortField(CUSTOMER_SORT_COLUMNS),
  })
  .strict();

/** Finds customers (best match first, or in `sort`'s order), with how many match in all. */
export const searchCustomers = defineRead({
  name: 'search_customers',
  description:
    'Search customers by name (fuzzy), email, email domain, id or invoice number; optionally by country. Best match first (no query: newest first) unless sorted; returns the count matching (a text search counts up to 10,000: countIsAtLeast says there are more).',
  kind: 'data.read',
  input: searchCustomersInput,
  async run(_context, input, connector) {
    const sort = parseSort(input.sort);
    const query = {
      ...(input.query ? { text: input.query } : {}),
      ...(input.country ? { country: input.country } : {}),
      ...(sort ? { sort } : {}),
    };
    // A text search counts up to COUNT_CAP matches (an index scan that stops), not every customer a letter matches.
    const { customers, count: counted } = await connector.searchCustomers(
      { ...query, limit: input.limit, offset: input.offset },
      input.query ? { atMost: COUNT_CAP } : {},
    );
    const more = counted > COUNT_CAP;
    return { customers, count: more ? COUNT_CAP : counted, ...(more ? { countIsAtLeast: true } : {}) };
  },
});
