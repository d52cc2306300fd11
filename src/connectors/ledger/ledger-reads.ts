/** The ledger's reads: every query scoped by org, so another org's id reads exactly like a missing one. */
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Charge, Coupon, Customer, Invoice, Price, Product, Subscription } from '../../domain/billing.ts';
import type { Currency } from '../../domain/money.ts';
import type { Database } from '../../store/schema.ts';
import type {
  ChargeQuery,
  CustomerExpansion,
  CustomerQuery,
  DunningOutcome,
  DuplicateSubscriptions,
  InvoiceQuery,
  InvoluntaryChurnRow,
  LimitUsage,
  MrrMovementMonth,
  OpenFailedInvoice,
  OverdueCustomer,
  PaymentAttemptRow,
  SubscriptionQuery,
} from '../connector.ts';
import * as charges from './charge-analytics.ts';
import { findDuplicateSubscriptions } from './duplicate-subscriptions.ts';
import { whereInvoices, whereSubscriptions } from './list-filters.ts';
import { orderCharges, orderCustomers, orderInvoices } from './list-order.ts';
import * as analytics from './revenue-analytics.ts';
import {
  balanceTransactionFromRow,
  chargeFromRow,
  couponFromRow,
  creditNoteFromRow,
  customerFromRow,
  invoiceFromRow,
  invoiceLineFromRow,
  priceFromRow,
  productFromRow,
  refundFromRow,
  subscriptionFromRow,
  usageFromRow,
} from './rows.ts';

/** The executor a connector runs on: the database or an operation's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

const INVOICE_NUMBER = /^(?:#|inv-?)?(\d{1,9})$/i;
/** A domain, alone or after an `@`: `globex.test`, `@globex.test`. */
const DOMAIN = /^@?((?:[a-z0-9-]+\.)+[a-z]{2,})$/;
/** The conditions `leash_customer_matches` knows (migration 0036). */
type CustomerMatchMode = 'name' | 'name_like' | 'name_part' | 'name_whole' | 'email' | 'email_like' | 'domain';
const limitOf = (page: { limit?: number | undefined }) => Math.min(Math.max(page.limit ?? 50, 1), 1000);

/** Reads of one org's ledger. */
export class LedgerReads {
  constructor(
    protected readonly executor: Executor,
    readonly orgId: string,
  ) {}

  /** The executor writes go through (the operation's transaction when there is one). */
  executorForWrites(): Executor {
    return this.executor;
  }

  /** The ledger's simulated now; the wall clock is stored on first use. */
  async now(): Promise<Date> {
    const row = await this.executor
      .selectFrom('ledgerClocks')
      .select('now')
      .where('orgId', '=', this.orgId)
      .executeTakeFirst();
    if (row) return row.now;
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await this.executor
      .insertInto('ledgerClocks')
      .values({ orgId: this.orgId, now })
      .onConflict((conflict) => conflict.column('orgId').doNothing())
      .execute();
    return (
      await this.executor
        .selectFrom('ledgerClocks')
        .select('now')
        .where('orgId', '=', this.orgId)
        .executeTakeFirstOrThrow()
    ).now;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const row = await this.executor
      .selectFrom('customers')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', customerId)
      .executeTakeFirst();
    return row ? customerFromRow(row) : undefined;
  }

  async getCustomers(customerIds: readonly string[]): Promise<Customer[]> {
    if (customerIds.length === 0) return [];
    const rows = await this.executor
      .selectFrom('customers')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', 'in', [...new Set(customerIds)])
      .execute();
    return rows.map(customerFromRow);
  }

  /** The customer select of `query`'s filters, without the search text. */
  protected customerFilters(query: CustomerQuery) {
    let select = this.executor
      .selectFrom('customers')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('deletedAt', 'is', null);
    if (query.country) select = select.where('country', '=', query.country.toUpperCase());
    if (query.email) select = select.where(this.matches('email', query.email.trim().toLowerCase()));
    if (query.name) select = select.where(this.matches('name', query.name.trim().toLowerCase()));
    return select;
  }

  /**
   * The condition "a customer of this org that `mode` matches": ids from `leash_customer_matches` (migration
   * 0036), which answers through the search indexes also inside the org scope, where row-level security would
   * keep `lower()`, `LIKE` and the trigram operators from using them.
   */
  protected matches(mode: CustomerMatchMode, text: string, limit?: number) {
    return sql<boolean>`${sql.ref('customers.id')} in (select m.id from leash_customer_matches(${this.orgId}, ${mode}, ${text}, ${limit ?? null}::integer) m)`;
  }

  /** Whether `select` (the filters) has a row `mode` matches; `alone` when nothing else filters it. */
  private async anyMatch(
    select: ReturnType<LedgerReads['customerFilters']>,
    mode: CustomerMatchMode,
    text: string,
    alone: boolean,
  ): Promise<boolean> {
    const found = await select
      .where(this.matches(mode, text, alone ? 1 : undefined))
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
  protected async customerSearch(query: CustomerQuery) {
    const select = this.customerFilters(query);
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
          .where('orgId', '=', this.orgId)
          .where((eb) => eb.or([eb('number', '=', invoiceNumber), eb('id', '=', raw)])),
      );
      return { select: byInvoice, score: undefined, match: undefined };
    }
    const likeText = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
    const alone = !query.country && !query.email && !query.name;
    const domain = DOMAIN.exec(text)?.[1];
    // The search as one match, so that a count with no other filter counts the function's ids alone.
    const matched = (mode: CustomerMatchMode, matchText: string, score: RawBuilder<number> | undefined) => ({
      select: select.where(this.matches(mode, matchText)),
      score,
      match: alone ? { mode, text: matchText, scoreText: text } : undefined,
    });
    if (domain) {
      // The domain's customers, through the email-domain index; when there are none, names that look like it
      // ("globex.test" ~ "Globex"), which on a common word is a much larger read.
      // One score for all, so they come by name (a cast: a bare `1` in ORDER BY would mean the first column).
      if (await this.anyMatch(select, 'domain', domain, alone)) return matched('domain', domain, sql<number>`1::real`);
    }
    if (text.includes('@') && !domain) {
      if (await this.anyMatch(select, 'email', text, alone)) return matched('email', text, undefined);
      // Part of an address: through the email's trigram index, closest first.
      return matched('email_like', likeText, sql<number>`similarity(lower(email), ${text})`);
    }
    const score = sql<number>`greatest(similarity(lower(name), ${text}), word_similarity(${text}, lower(name)))`;
    // A name that contains the text is what was meant: the typo-tolerant operators (which on a common word match
    // thousands of names and score each) are only needed when no name contains it.
    if (await this.anyMatch(select, 'name_like', likeText, alone)) return matched('name_like', likeText, score);
    // Then names with a part like the text (`<%`, word similarity ≥ 0.6: a typo in a name or in one of its words),
    // and only when there are none, names like it as a whole (`%`, similarity ≥ 0.3). The loose whole-name match
    // lists hundreds of names that merely share "analytics llc" and scores each (0.3 s at 100k customers), so it
    // is the last resort. Each is one trigram index scan.
    if (await this.anyMatch(select, 'name_part', text, alone)) return matched('name_part', text, score);
    return matched('name_whole', text, score);
  }

  async findCustomers(query: CustomerQuery): Promise<Customer[]> {
    return (await this.customerPage(await this.customerSearch(query), query)).customers;
  }

  /** A page of `query`'s customers and how many match in all (counting stops past `atMost`), matched once. */
  async searchCustomers(
    query: CustomerQuery,
    options: { atMost?: number } = {},
  ): Promise<{ customers: Customer[]; count: number }> {
    const search = await this.customerSearch(query);
    const { customers, total } = await this.customerPage(search, query);
    const counted = total ?? (await this.countSearch(search, options));
    return { customers, count: options.atMost === undefined ? counted : Math.min(counted, options.atMost + 1) };
  }

  /**
   * One page of a search's customers. With nothing but the search, best first: the match function orders and
   * pages the ids, and counts the matches in the same pass (`total`, when the page is not empty), and only the
   * page's customers are read (a common word matches thousands).
   */
  private async customerPage(
    { select, score, match }: Awaited<ReturnType<LedgerReads['customerSearch']>>,
    query: CustomerQuery,
  ): Promise<{ customers: Customer[]; total?: number }> {
    if (match && !query.sort) {
      const page = await sql<{ id: string; total: string | number }>`select id, total
        from leash_customer_page(${this.orgId}, ${match.mode}, ${match.text}, ${match.scoreText},
                                 ${limitOf(query)}::integer, ${query.offset ?? 0}::integer)`.execute(this.executor);
      const ids = page.rows.map((row) => row.id);
      const found = new Map((await this.getCustomers(ids)).map((customer) => [customer.id, customer]));
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
  async countCustomers(query: CustomerQuery, options: { atMost?: number } = {}): Promise<number> {
    return this.countSearch(await this.customerSearch(query), options);
  }

  /** How many customers a search (`customerSearch`'s answer) matches, counting past `atMost` no further. */
  private async countSearch(
    { select, match }: Awaited<ReturnType<LedgerReads['customerSearch']>>,
    options: { atMost?: number },
  ): Promise<number> {
    if (match) {
      // Nothing but the search: count the match function's ids, without reading the customers they name.
      const capped = options.atMost === undefined ? null : options.atMost + 1;
      const row = await sql<{ count: string | number }>`select count(*) as count
        from leash_customer_matches(${this.orgId}, ${match.mode}, ${match.text}, ${capped}::integer)`.execute(
        this.executor,
      );
      return Number(row.rows[0]?.count ?? 0);
    }
    if (options.atMost !== undefined) {
      const capped = select
        .clearSelect()
        .select(sql`1`.as('one'))
        .limit(options.atMost + 1);
      const row = await this.executor
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

  async findCustomerCandidates(query: {
    phrases: readonly string[];
    domains?: readonly string[];
    limit?: number;
  }): Promise<Customer[]> {
    const phrases = [...new Set(query.phrases.map((phrase) => phrase.trim().toLowerCase()).filter(Boolean))].slice(
      0,
      200,
    );
    const domains = [...new Set((query.domains ?? []).map((domain) => domain.trim().toLowerCase()))].slice(0, 20);
    if (phrases.length === 0 && domains.length === 0) return [];
    const likeText = (text: string) => text.replace(/[%_\\]/g, '\\$&');
    const limit = Math.min(Math.max(query.limit ?? 200, 1), 500);
    // Through leash_customer_candidates (migration 0036): one indexed look-up per phrase, also in the org scope.
    const rows = await this.executor
      .selectFrom('customers')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('deletedAt', 'is', null)
      .where(
        sql<boolean>`${sql.ref('customers.id')} in (select m.id from leash_customer_candidates(${this.orgId},
          ${phrases}::text[], ${phrases.map((phrase) => `${likeText(phrase)}%`)}::text[],
          ${phrases.map((phrase) => phrase.replace(/[^a-z0-9]+/g, ''))}::text[], ${domains}::text[], ${limit}::integer) m)`,
      )
      .orderBy('name')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(customerFromRow);
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    const row = await this.executor
      .selectFrom('products')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', productId)
      .executeTakeFirst();
    return row ? productFromRow(row) : undefined;
  }

  async listProducts(): Promise<Product[]> {
    return (
      await this.executor
        .selectFrom('products')
        .selectAll()
        .where('orgId', '=', this.orgId)
        .orderBy('createdAt')
        .orderBy('id')
        .execute()
    ).map(productFromRow);
  }

  async getPrice(priceId: string): Promise<Price | undefined> {
    const row = await this.executor
      .selectFrom('prices')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', priceId)
      .executeTakeFirst();
    return row ? priceFromRow(row) : undefined;
  }

  async listPrices(filter: { productId?: string } = {}): Promise<Price[]> {
    let select = this.executor.selectFrom('prices').selectAll().where('orgId', '=', this.orgId);
    if (filter.productId) select = select.where('productId', '=', filter.productId);
    return (await select.orderBy('createdAt').orderBy('id').execute()).map(priceFromRow);
  }

  async getCoupon(idOrCode: string): Promise<Coupon | undefined> {
    const row = await this.executor
      .selectFrom('coupons')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where((eb) => eb.or([eb('id', '=', idOrCode), eb(sql`upper(code)`, '=', idOrCode.toUpperCase())]))
      .executeTakeFirst();
    return row ? couponFromRow(row) : undefined;
  }

  async listCoupons(): Promise<Coupon[]> {
    return (
      await this.executor.selectFrom('coupons').selectAll().where('orgId', '=', this.orgId).orderBy('code').execute()
    ).map(couponFromRow);
  }

  protected async subscriptionsWithItems(rows: Parameters<typeof subscriptionFromRow>[0][]): Promise<Subscription[]> {
    if (rows.length === 0) return [];
    const items = await this.executor
      .selectFrom('subscriptionItems')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where(
        'subscriptionId',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('position')
      .execute();
    return rows.map((row) =>
      subscriptionFromRow(
        row,
        items
          .filter((item) => item.subscriptionId === row.id)
          .map(({ id, subscriptionId, priceId, quantity }) => ({ id, subscriptionId, priceId, quantity })),
      ),
    );
  }

  async getSubscription(subscriptionId: string): Promise<Subscription | undefined> {
    const row = await this.executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', subscriptionId)
      .executeTakeFirst();
    return row ? (await this.subscriptionsWithItems([row]))[0] : undefined;
  }

  async findDuplicateSubscriptions(filter: { customerId?: string; limit?: number }): Promise<DuplicateSubscriptions[]> {
    return findDuplicateSubscriptions(this.executor, this.orgId, filter, (rows) => this.subscriptionsWithItems(rows));
  }

  customerCurrencies(): Promise<{ currency: Currency; customers: number }[]> {
    return analytics.customerCurrencies(this.executor, this.orgId);
  }

  mrrAt(input: { currency: Currency; at: Date }): Promise<number> {
    return analytics.mrrAt(this.executor, this.orgId, input.currency, input.at);
  }

  mrrMovements(input: { currency: Currency; from: Date; until: Date }): Promise<MrrMovementMonth[]> {
    return analytics.mrrMovements(this.executor, this.orgId, input.currency, input.from, input.until);
  }

  expansionByCustomer(input: {
    currency: Currency;
    from: Date;
    until: Date;
    limit: number;
  }): Promise<CustomerExpansion[]> {
    return analytics.expansionByCustomer(
      this.executor,
      this.orgId,
      input.currency,
      input.from,
      input.until,
      input.limit,
    );
  }

  paymentAttempts(input: { from: Date; until: Date }): Promise<PaymentAttemptRow[]> {
    return charges.paymentAttempts(this.executor, this.orgId, input.from, input.until);
  }

  openFailedInvoices(input: {
    from: Date;
    until: Date;
    failureCodes: readonly string[];
  }): Promise<OpenFailedInvoice[]> {
    return charges.openFailedInvoices(this.executor, this.orgId, input);
  }

  involuntaryChurn(input: { from: Date; until: Date }): Promise<InvoluntaryChurnRow[]> {
    return analytics.involuntaryChurn(this.executor, this.orgId, input.from, input.until);
  }

  dunningOutcomes(input: { from: Date; until: Date }): Promise<DunningOutcome[]> {
    return charges.dunningOutcomes(this.executor, this.orgId, input.from, input.until);
  }

  usageAgainstLimits(input: {
    customerId?: string;
    previous: boolean;
    minShare: number;
    limit: number;
  }): Promise<LimitUsage[]> {
    return analytics.usageAgainstLimits(this.executor, this.orgId, input);
  }

  overdueByCustomer(input: { at: Date; limit: number }): Promise<OverdueCustomer[]> {
    return analytics.overdueByCustomer(this.executor, this.orgId, input.at, input.limit);
  }

  async listSubscriptions(query: SubscriptionQuery): Promise<Subscription[]> {
    const select = whereSubscriptions(this.executor.selectFrom('subscriptions').selectAll(), this.orgId, query);
    const ordered =
      query.order === 'renewal'
        ? select.orderBy('currentPeriodEnd').orderBy('id')
        : select.orderBy('createdAt', 'desc').orderBy('id');
    const rows = await ordered
      .limit(limitOf(query))
      .offset(query.offset ?? 0)
      .execute();
    return this.subscriptionsWithItems(rows);
  }

  async countSubscriptions(query: SubscriptionQuery): Promise<number> {
    const row = await whereSubscriptions(
      this.executor.selectFrom('subscriptions').select((eb) => eb.fn.countAll<string | number>().as('count')),
      this.orgId,
      query,
    ).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  protected async invoicesWithLines(rows: Parameters<typeof invoiceFromRow>[0][]): Promise<Invoice[]> {
    if (rows.length === 0) return [];
    const lines = await this.executor
      .selectFrom('invoiceLines')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where(
        'invoiceId',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('invoiceId')
      .orderBy('position')
      .execute();
    const byInvoice = new Map<string, typeof lines>();
    for (const line of lines) byInvoice.set(line.invoiceId, [...(byInvoice.get(line.invoiceId) ?? []), line]);
    return rows.map((row) => invoiceFromRow(row, (byInvoice.get(row.id) ?? []).map(invoiceLineFromRow)));
  }

  async getInvoice(invoiceId: string): Promise<Invoice | undefined> {
    const row = await this.executor
      .selectFrom('invoices')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', invoiceId)
      .executeTakeFirst();
    return row ? (await this.invoicesWithLines([row]))[0] : undefined;
  }

  async getInvoices(invoiceIds: readonly string[]): Promise<Invoice[]> {
    if (invoiceIds.length === 0) return [];
    const rows = await this.executor
      .selectFrom('invoices')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', 'in', [...new Set(invoiceIds)])
      .execute();
    return this.invoicesWithLines(rows);
  }

  async getInvoiceByNumber(number: string): Promise<Invoice | undefined> {
    const row = await this.executor
      .selectFrom('invoices')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('number', '=', number.trim().toUpperCase())
      .executeTakeFirst();
    return row ? (await this.invoicesWithLines([row]))[0] : undefined;
  }

  async listInvoices(query: InvoiceQuery): Promise<Invoice[]> {
    const select = whereInvoices(
      this.executor.selectFrom('invoices').selectAll(),
      this.orgId,
      query,
      query.overdue ? await this.now() : undefined,
    );
    const ordered = query.sort
      ? orderInvoices(select, query.sort)
      : query.overdue
        ? select.orderBy('dueDate').orderBy('id')
        : select.orderBy('createdAt', 'desc').orderBy('number', 'desc');
    const rows = await ordered
      .limit(limitOf(query))
      .offset(query.offset ?? 0)
      .execute();
    return this.invoicesWithLines(rows);
  }

  async countInvoices(query: InvoiceQuery): Promise<number> {
    const row = await whereInvoices(
      this.executor.selectFrom('invoices').select((eb) => eb.fn.countAll<string | number>().as('count')),
      this.orgId,
      query,
      query.overdue ? await this.now() : undefined,
    ).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async getCharge(chargeId: string): Promise<Charge | undefined> {
    const row = await this.executor
      .selectFrom('charges')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('id', '=', chargeId)
      .executeTakeFirst();
    return row ? chargeFromRow(row) : undefined;
  }

  /** The charge select of `query`'s filters, shared by the list and the count. */
  protected chargeSelect(query: ChargeQuery) {
    let select = this.executor.selectFrom('charges').selectAll().where('orgId', '=', this.orgId);
    if (query.customerId) select = select.where('customerId', '=', query.customerId);
    if (query.invoiceId) select = select.where('invoiceId', '=', query.invoiceId);
    if (query.status) select = select.where('status', '=', query.status);
    if (query.createdFrom) select = select.where('createdAt', '>=', query.createdFrom);
    if (query.createdTo) select = select.where('createdAt', '<', query.createdTo);
    return select;
  }

  async listCharges(query: ChargeQuery): Promise<Charge[]> {
    const select = this.chargeSelect(query);
    const ordered = query.sort ? orderCharges(select, query.sort) : select.orderBy('createdAt', 'desc').orderBy('id');
    const rows = await ordered
      .limit(limitOf(query))
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(chargeFromRow);
  }

  async countCharges(query: ChargeQuery): Promise<number> {
    const row = await this.chargeSelect(query)
      .clearSelect()
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async findDoubleCharges(filter: {
    customerId?: string;
    from: Date;
    until: Date;
    withinHours: number;
    limit: number;
  }): Promise<{ first: Charge; second: Charge }[]> {
    const found = await charges.doubleChargePairs(this.executor, this.orgId, filter);
    if (found.length === 0) return [];
    const ids = [...new Set(found.flatMap((pair) => [pair.firstId, pair.secondId]))];
    const byId = new Map(
      (
        await this.executor
          .selectFrom('charges')
          .selectAll()
          .where('orgId', '=', this.orgId)
          .where('id', 'in', ids)
          .execute()
      )
        .map(chargeFromRow)
        .map((charge) => [charge.id, charge]),
    );
    return found.flatMap((pair) => {
      const first = byId.get(pair.firstId);
      const second = byId.get(pair.secondId);
      return first && second ? [{ first, second }] : [];
    });
  }

  async listRefunds(filter: { chargeId?: string; customerId?: string }) {
    let select = this.executor.selectFrom('refunds').selectAll().where('orgId', '=', this.orgId);
    if (filter.chargeId) select = select.where('chargeId', '=', filter.chargeId);
    if (filter.customerId)
      select = select.where('chargeId', 'in', (sub) =>
        sub
          .selectFrom('charges')
          .select('id')
          .where('orgId', '=', this.orgId)
          .where('customerId', '=', filter.customerId as string),
      );
    return (await select.orderBy('createdAt').orderBy('id').execute()).map(refundFromRow);
  }

  async listCreditNotes(filter: { invoiceId?: string; customerId?: string }) {
    let select = this.executor.selectFrom('creditNotes').selectAll().where('orgId', '=', this.orgId);
    if (filter.invoiceId) select = select.where('invoiceId', '=', filter.invoiceId);
    if (filter.customerId) select = select.where('customerId', '=', filter.customerId);
    return (await select.orderBy('createdAt').orderBy('id').execute()).map(creditNoteFromRow);
  }

  async listBalanceTransactions(customerId: string) {
    const rows = await this.executor
      .selectFrom('balanceTransactions')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('customerId', '=', customerId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    return rows.map(balanceTransactionFromRow);
  }

  async listUsage(filter: { subscriptionId: string; metric?: string; from?: Date; to?: Date }) {
    let select = this.executor
      .selectFrom('usageRecords')
      .selectAll()
      .where('orgId', '=', this.orgId)
      .where('subscriptionId', '=', filter.subscriptionId);
    if (filter.metric) select = select.where('metric', '=', filter.metric);
    if (filter.from) select = select.where('timestamp', '>=', filter.from);
    if (filter.to) select = select.where('timestamp', '<', filter.to);
    return (await select.orderBy('timestamp').orderBy('id').execute()).map(usageFromRow);
  }
}
