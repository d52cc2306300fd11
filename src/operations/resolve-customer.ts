/** Resolves a customer reference (id, email, or a fuzzy name) to one customer of the org, or says why not. */
import type { BillingConnector } from '../connectors/connector.ts';
import type { Customer } from '../domain/billing.ts';
import { LeashError, notFound } from '../domain/errors.ts';

/** Finds exactly one customer for `reference`; ambiguity is an error listing the candidates. */
export async function resolveCustomer(connector: BillingConnector, reference: string): Promise<Customer> {
  const text = reference.trim();
  if (text.startsWith('cus_')) {
    const customer = await connector.getCustomer(text);
    if (!customer) throw notFound('customer', text);
    return customer;
  }
  if (text.includes('@')) {
    const [customer] = await connector.findCustomers({ email: text, limit: 1 });
    if (!customer) throw notFound('customer', text);
    return customer;
  }
  // The exact name first (an index look-up); the fuzzy search ranks candidates only when that is not one customer.
  const named = await connector.findCustomers({ name: text, limit: 2 });
  if (named.length === 1 && named[0]) return named[0];
  const candidates = await connector.findCustomers({ text, limit: 5 });
  const [first] = candidates;
  if (!first) throw notFound('customer', text);
  const exact = candidates.filter((customer) => customer.name.toLowerCase() === text.toLowerCase());
  if (exact.length === 1 && exact[0]) return exact[0];
  const slug = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const sameSlug = candidates.filter((customer) => slug(customer.name) === slug(text));
  if (sameSlug.length === 1 && sameSlug[0]) return sameSlug[0];
  if (candidates.length === 1 || exact.length === 0) {
    // A single fuzzy best match is accepted only when it clearly leads; otherwise ask.
    if (candidates.length === 1) return first;
  }
  throw new LeashError(
    'bad_input',
    `"${text}" matches several customers: ${candidates.map((customer) => `${customer.name} (${customer.id})`).join(', ')}`,
    { field: 'customer', candidates: candidates.map((customer) => ({ id: customer.id, name: customer.name })) },
  );
}
