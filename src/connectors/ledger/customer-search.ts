/**
 * Customer search over one org's ledger (or the Stripe mirror's tables, which have the same shape): by id, invoice,
 * email, domain or fuzzy name, paged and counted, and chat's customer mentions. Every match goes through the
 * SECURITY DEFINER functions of migrations 0036–0039 (`leash_customer_matches`, `leash_customer_page`,
 * `leash_customer_candidates`), which use the search indexes also inside the org scope, where row-level security
 * would keep `lower()`, `LIKE` and the trigram operators from using them; the customers are then read back by id
 * under the policy. Split out of ledger-reads.ts, which delegates to it.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Customer } from '../../domain/billing.ts';
import type { CustomerQuery } from '../connector.ts';
import type { Executor } from './ledger-reads.ts';
import { orderCustomers } from './list-order.ts';
import { customerFromRow } from './rows.ts';

/** Where a search runs: the executor and the org it reads. */
export interface Scope {
  readonly executor: Executor;
  readonly orgId: string;
}

const INVOICE_NUMBER = /^(?:#|inv-?)?(\d{1,9})$/i;
/** A domain, alone or after an `@`: `globex.test`, `@globex.test`. */
const DOMAIN = /^@?((?:[a-z0-9-]+\.)+[a-z]{2,})$/;
/** The conditions `leash_customer_matches` knows (migration 0036). */
type CustomerMatchMode = 'name' | 'name_like' | 'name_part' | 'name_whole' | 'email' | 'email_like' | 'domain';
const limitOf = (page: { limit?: number | undefined }) => Math.min(Math.max(page.limit ?? 50, 1), 1000);

/** A search as `customerSearch` answers it: the filtered select, its score, and the match alone when nothing else filters. */
type Search = Awaited<ReturnType<typeof customerSearch>>;

/** The org's customers with these ids (any order). */
export async function customersByIds(scope: Scope, customerIds: readonly string[]): Promise<Customer[]> {
  if (customerIds.length === 0) return [];
  const rows = await scope.executor
    .selectFrom('customers')
    .selectAll()
    .where('orgId', '=', scope.orgId)
    .where('id', 'in', [...new Set(customerIds)])
    .execute();
  return rows.map(customerFromRow);
}

/** The customer select of `query`'s filters, without the search text. */
function customerFilters(scope: Scope, query: CustomerQuery) {
  let select = scope.executor
    .selectFrom('customers')
    .selectAll()
    .where('orgId', '=', scope.orgId)
    .where('deletedAt', 'is', null);
  if (query.country) select = select.where('country', '=', query.country.toUpperCase());
  if (query.email) select = select.where(matches(scope, 'email', query.email.trim().toLowerCase()));
  if (query.name) select = select.where(matches(scope, 'name', query.name.trim().toLowerCase()));
  return select;
}

/**
 * The condition "a customer of this org that `mode` matches": ids from `leash_customer_matches` (migration
 * 0036), which answers through the search indexes also inside the org scope, where row-level security would
 * keep `lower()`, `LIKE` and the trigram operators from using them.
 */
function matches(scope: Scope, mode: CustomerMatchMode, text: string, limit?: number) {
  return sql<boolean>`${sql.ref('customers.id')} in (select m.id from leash_customer_matches(${scope.orgId}, ${mode}, ${text}, ${limit ?? null}::integer) m)`;
}

/** Whether `select` (the filters) has a row `mode` matches; `alone` when nothing else filters it. */
async function anyMatch(
  scope: Scope,
  select: ReturnType<typeof customerFilters>,
  mode: CustomerMatchMode,
  text: string,
  alone: boolean,
): Promise<boolean> {
  const found = await select
    .where(matches(scope, mode, text, alone ? 1 : undefined))
    .clearSelect()
    .select('id')
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * The customer select of `query`, and the match score when it searches text. Exact paths first, each an index
 * look-up: an id (`cus_…`), an invoice (`in_…`, `INV-000042`, `#42`), an email; a domain (`globex.test`,
 * `@globex.test`) through the email-domain index. Anything else, or an address or part of one with no exact
 * match, is a fuzzy match through the trigram indexes (migration 0029): names that contain the text when there are
 * any, else names with a part like it (`<%`), else names like it as a whole (`%`) (an index answers each; a
 * `similarity()` in the WHERE could not), ranked by the same score as before.
 */
async function customerSearch(scope: Scope, query: CustomerQuery) {
  const select = customerFilters(scope, query);
  const raw = query.text?.trim() ?? '';
  const text = raw.toLowerCase();
  if (!text) return { select, score: undefined, match: undefined };
  if (text.startsWith('cus_')) return { select: select.where('id', '=', raw), score: undefined, match: undefined };
  const number = INVOICE_NUMBER.exec(text);
  if (number?.[1] || text.startsWith('in_')) {
    const invoiceNumber = number?.[1] ? `INV-${number[1].padStart(6, '0')}` : '';
    const byInvoice = select.where('id', 'in', (sub) =>
      sub
        .selectFrom('invoices')
        .select('customerId')
        .where('orgId', '=', scope.orgId)
        .where((eb) => eb.or([eb('number', '=', invoiceNumber), eb('id', '=', raw)])),
    );
    return { select: byInvoice, score: undefined, match: undefined };
  }
  const likeText = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
  const alone = !query.country && !query.email && !query.name;
  const domain = DOMAIN.exec(text)?.[1];
  // The search as one match, so that a count with no other filter counts the function's ids alone.
  const matched = (mode: CustomerMatchMode, matchText: string, score: RawBuilder<number> | undefined) => ({
    select: select.where(matches(scope, mode, matchText)),
    score,
    match: alone ? { mode, text: matchText, scoreText: text } : undefined,
  });
  if (domain) {
    // The domain's customers, through the email-domain index; when there are none, names that look like it
    // ("globex.test" ~ "Globex"), which on a common word is a much larger read.
    // One score for all, so they come by name (a cast: a bare `1` in ORDER BY would mean the first column).
    if (await anyMatch(scope, select, 'domain', domain, alone)) return matched('domain', domain, sql<number>`1::real`);
  }
  if (text.includes('@') && !domain) {
    if (await anyMatch(scope, select, 'email', text, alone)) return matched('email', text, undefined);
    // Part of an address: through the email's trigram index, closest first.
    return matched('email_like', likeText, sql<number>`similarity(lower(email), ${text})`);
  }
  const score = sql<number>`greatest(similarity(lower(name), ${text}), word_similarity(${text}, lower(name)))`;
  // A name that contains the text is what was meant: the typo-tolerant operators (which on a common word match
  // thousands of names and score each) are only needed when no name contains it.
  if (await anyMatch(scope, select, 'name_like', likeText, alone)) return matched('name_like', likeText, score);
  // Then names with a part like the text (`<%`, word similarity ≥ 0.6: a typo in a name or in one of its words),
  // and only when there are none, names like it as a whole (`%`, similarity ≥ 0.3). The loose whole-name match
  // lists hundreds of names that merely share "analytics llc" and scores each (0.3 s at 100k customers), so it
  // is the last resort. Each is one trigram index scan.
  if (await anyMatch(scope, select, 'name_part', text, alone)) return matched('name_part', text, score);
  return matched('name_whole', text, score);
}

/** The customers `query` matches: one page, best first (or in the order asked). */
export async function findCustomers(scope: Scope, query: CustomerQuery): Promise<Customer[]> {
  return (await customerPage(scope, await customerSearch(scope, query), query)).customers;
}

/** A page of `query`'s customers and how many match in all (counting stops past `atMost`), matched once. */
export async function searchCustomers(
  scope: Scope,
  query: CustomerQuery,
  options: { atMost?: number } = {},
): Promise<{ customers: Customer[]; count: number }> {
  const search = await customerSearch(scope, query);
  const { customers, total } = await customerPage(scope, search, query);
  const counted = total ?? (await countSearch(scope, search, options));
  return { customers, count: options.atMost === undefined ? counted : Math.min(counted, options.atMost + 1) };
}

/**
 * One page of a search's customers. With nothing but the search, best first: the match function orders and
 * pages the ids, and counts the matches in the same pass (`total`, when the page is not empty), and only the
 * page's customers are read (a common word matches thousands).
 */
async function customerPage(
  scope: Scope,
  { select, score, match }: Search,
  query: CustomerQuery,
): Promise<{ customers: Customer[]; total?: number }> {
  if (match && !query.sort) {
    const page = await sql<{ id: string; total: string | number }>`select id, total
        from leash_customer_page(${scope.orgId}, ${match.mode}, ${match.text}, ${match.scoreText},
                                 ${limitOf(query)}::integer, ${query.offset ?? 0}::integer)`.execute(scope.executor);
    const ids = page.rows.map((row) => row.id);
    const found = new Map((await customersByIds(scope, ids)).map((customer) => [customer.id, customer]));
    const customers = ids.flatMap((id) => found.get(id) ?? []);
    return page.rows[0] ? { customers, total: Number(page.rows[0].total) } : { customers };
  }
  const ordered = query.sort
    ? orderCustomers(select, query.sort)
    : score
      ? select.orderBy(score, 'desc').orderBy('name').orderBy('id')
      : select.orderBy('createdAt', 'desc').orderBy('id');
  const rows = await ordered
    .limit(limitOf(query))
    .offset(query.offset ?? 0)
    .execute();
  return { customers: rows.map(customerFromRow) };
}

/**
 * How many customers match `query`. With `atMost`, counting stops there (a search for "a" matches nearly every
 * customer; counting them all would read them all): the answer is then `atMost` + 1, meaning "more than".
 */
export async function countCustomers(
  scope: Scope,
  query: CustomerQuery,
  options: { atMost?: number } = {},
): Promise<number> {
  return countSearch(scope, await customerSearch(scope, query), options);
}

/** How many customers a search (`customerSearch`'s answer) matches, counting past `atMost` no further. */
async function countSearch(scope: Scope, { select, match }: Search, options: { atMost?: number }): Promise<number> {
  if (match) {
    // Nothing but the search: count the match function's ids, without reading the customers they name.
    const capped = options.atMost === undefined ? null : options.atMost + 1;
    const row = await sql<{ count: string | number }>`select count(*) as count
        from leash_customer_matches(${scope.orgId}, ${match.mode}, ${match.text}, ${capped}::integer)`.execute(
      scope.executor,
    );
    return Number(row.rows[0]?.count ?? 0);
  }
  if (options.atMost !== undefined) {
    const capped = select
      .clearSelect()
      .select(sql`1`.as('one'))
      .limit(options.atMost + 1);
    const row = await scope.executor
      .selectFrom(capped.as('matches'))
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
  const row = await select
    .clearSelect()
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The customers whose names or domains a request's phrases may mean (chat's mentions), by name. */
export async function findCustomerCandidates(
  scope: Scope,
  query: {
    phrases: readonly string[];
    domains?: readonly string[];
    limit?: number;
  },
): Promise<Customer[]> {
  const phrases = [...new Set(query.phrases.map((phrase) => phrase.trim().toLowerCase()).filter(Boolean))].slice(
    0,
    200,
  );
  const domains = [...new Set((query.domains ?? []).map((domain) => domain.trim().toLowerCase()))].slice(0, 20);
  if (phrases.length === 0 && domains.length === 0) return [];
  const likeText = (text: string) => text.replace(/[%_\\]/g, '\\$&');
  const limit = Math.min(Math.max(query.limit ?? 200, 1), 500);
  // Through leash_customer_candidates (migration 0036): one indexed look-up per phrase, also in the org scope.
  const rows = await scope.executor
    .selectFrom('customers')
    .selectAll()
    .where('orgId', '=', scope.orgId)
    .where('deletedAt', 'is', null)
    .where(
      sql<boolean>`${sql.ref('customers.id')} in (select m.id from leash_customer_candidates(${scope.orgId},
          ${phrases}::text[], ${phrases.map((phrase) => `${likeText(phrase)}%`)}::text[],
          ${phrases.map((phrase) => phrase.replace(/[^a-z0-9]+/g, ''))}::text[], ${domains}::text[], ${limit}::integer) m)`,
    )
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(customerFromRow);
}
