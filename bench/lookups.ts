/**
 * Customer and invoice look-ups on a large business, through the ledger connector (what every read operation
 * uses) and through the whole read pipeline (`get_invoice`: gate, connector, audit row). The baseline is a
 * `select 1` round trip on the same store, so figures from different machines can be compared as ratios.
 */
import { sql } from 'kysely';
import { listMembers, listOrgs } from '../src/auth/members.ts';
import { operationContext } from '../src/cli/operation-context.ts';
import { openConnector } from '../src/connectors/open-connector.ts';
import { LeashError } from '../src/domain/errors.ts';
import { resolveCustomer } from '../src/operations/resolve-customer.ts';
import { findMentions } from '../src/operations/resolve-mentions.ts';
import { runRead } from '../src/operations/run-operation.ts';
import { COUNT_CAP } from '../src/operations/search-customers.ts';
import { loadGate } from '../src/policy/decide.ts';
import { withOrgScope } from '../src/store/org-scope.ts';
import type { Dataset } from './dataset.ts';
import { type Latency, timeEach } from './stats.ts';

/** One measured look-up. */
export interface LookupFigure {
  name: string;
  latency: Latency;
}

/** Picks `count` rows spread over the whole table (a stable pseudo-random order), to look up. */
async function sample<Row>(dataset: Dataset, query: string, count: number): Promise<Row[]> {
  const result = await sql<Row>`${sql.raw(query)} order by md5(id) limit ${count}`.execute(dataset.store.db);
  return result.rows;
}

function pick<T>(rows: T[], index: number): T {
  const row = rows[index % rows.length];
  if (row === undefined) throw new Error('the bench business has no rows to look up');
  return row;
}

/** Measures every look-up `samples` times. */
export async function measureLookups(dataset: Dataset, samples: number): Promise<LookupFigure[]> {
  const { db } = dataset.store;
  const connector = openConnector(db, dataset.orgId);
  const customers = await sample<{ id: string; email: string; name: string }>(
    dataset,
    `select id, email, name from customers where org_id = '${dataset.orgId}'`,
    samples,
  );
  const invoices = await sample<{ id: string; number: string }>(
    dataset,
    `select id, number from invoices where org_id = '${dataset.orgId}'`,
    samples,
  );
  const owner = (await listMembers(db, dataset.orgId)).find((member) => member.role === 'owner');
  if (!owner) throw new Error('the bench business has no owner');
  const org = (await listOrgs(db)).find((candidate) => candidate.id === dataset.orgId);
  if (!org) throw new Error('the bench business has no org');
  const gate = await loadGate();
  const session = { store: dataset.store, org, gate, close: async () => {} };

  const figures: LookupFigure[] = [];
  const measure = async (name: string, work: (index: number) => Promise<unknown>) => {
    figures.push({ name, latency: await timeEach(samples, work) });
  };
  await measure('baseline: select 1', () => sql`select 1`.execute(db));
  await measure('customer by id', (i) => connector.getCustomer(pick(customers, i).id));
  await measure('customer by email', (i) => resolveCustomer(connector, pick(customers, i).email));
  // A name several customers share answers with the candidates (an error the caller shows): timed the same.
  await measure('customer by exact name', (i) =>
    resolveCustomer(connector, pick(customers, i).name).catch((error: unknown) => {
      if (!(error instanceof LeashError && error.code === 'bad_input')) throw error;
    }),
  );
  // A typo: the name with one letter dropped, ranked by trigram similarity.
  await measure('customer search, fuzzy (a typo)', (i) => {
    const name = pick(customers, i).name;
    const at = 1 + (i % Math.max(1, name.length - 2));
    return connector.findCustomers({ text: name.slice(0, at) + name.slice(at + 1), limit: 5 });
  });
  // search_customers as the operation runs it: the first page (20) and the count of the matches (up to its cap),
  // in one call (migration 0038: the page function counts the matches it orders).
  const search = (text: string) => connector.searchCustomers({ text, limit: 20 }, { atMost: COUNT_CAP });
  const typo = (name: string, i: number) => {
    const at = 1 + (i % Math.max(1, name.length - 2));
    return name.slice(0, at) + name.slice(at + 1);
  };
  await measure('search: name with a typo (+ count)', (i) => search(typo(pick(customers, i).name, i)));
  await measure('search: first word of a name (+ count)', (i) => search(pick(customers, i).name.split(' ')[0] ?? ''));
  await measure('search: email (+ count)', (i) => search(pick(customers, i).email));
  await measure('search: email domain (+ count)', (i) => search(pick(customers, i).email.split('@')[1] ?? ''));
  await measure('search: customer id (+ count)', (i) => search(pick(customers, i).id));
  await measure('search: invoice number (+ count)', (i) => search(pick(invoices, i).number));
  await measure('invoice by id', (i) => connector.getInvoice(pick(invoices, i).id));
  await measure('invoice by number', (i) => connector.getInvoiceByNumber(pick(invoices, i).number));
  await measure("a customer's last 20 invoices", (i) =>
    connector.listInvoices({ customerId: pick(customers, i).id, limit: 20 }),
  );
  await measure('get_invoice through the pipeline (+ audit row)', (i) =>
    runRead(operationContext(session, owner, gate), 'get_invoice', { number: pick(invoices, i).number }),
  );
  // search_customers as the server runs it for a member (HTTP, MCP): in the org's scope, as role leash_app, where
  // row-level security applies. Everything above runs as the store's own role, outside it.
  const searchInScope = (query: string) =>
    withOrgScope(dataset.orgId, () => runRead(operationContext(session, owner, gate), 'search_customers', { query }));
  await measure('search_customers in the org scope (RLS): first word', (i) =>
    searchInScope(pick(customers, i).name.split(' ')[0] ?? ''),
  );
  await measure('search_customers in the org scope (RLS): a typo', (i) =>
    searchInScope(typo(pick(customers, i).name, i)),
  );
  await measure('search_customers in the org scope (RLS): email', (i) => searchInScope(pick(customers, i).email));
  // What chat does first with every request: find the customers it names (the parser's gazetteer), in the scope.
  await measure('customers a chat request names, in the org scope (RLS)', (i) =>
    withOrgScope(dataset.orgId, () =>
      findMentions(connector, `Why was ${pick(customers, i).name} charged twice last month?`),
    ),
  );
  return figures;
}
