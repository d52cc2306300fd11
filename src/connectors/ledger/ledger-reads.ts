/** The ledger's reads: every query scoped by org, so another org's id reads exactly like a missing one. */
import { type Kysely, sql, type Transaction } from 'kysely';
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
import * as search from './customer-search.ts';
import { findDuplicateSubscriptions } from './duplicate-subscriptions.ts';
import { whereInvoices, whereSubscriptions } from './list-filters.ts';
import { orderCharges, orderInvoices } from './list-order.ts';
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

const limitOf = (page: { limit?: number | undefined }) => Math.min(Math.max(page.limit ?? 50, 1), 1000);

/** Reads of one org's ledger. */
export class LedgerReads {
  constructor(
    protected readonly executor: Executor,
    readonly orgId: string,
  ) {}

  /** What customer search (customer-search.ts) reads through. */
  private get scope(): search.Scope {
    return { executor: this.executor, orgId: this.orgId };
  }

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

  getCustomers(customerIds: readonly string[]): Promise<Customer[]> {
    return search.customersByIds(this.scope, customerIds);
  }

  async findCustomers(query: CustomerQuery): Promise<Customer[]> {
    return search.findCustomers(this.scope, query);
  }

  /** A page of `query`'s customers and how many match in all (counting stops past `atMost`), matched once. */
  searchCustomers(
    query: CustomerQuery,
    options: { atMost?: number } = {},
  ): Promise<{ customers: Customer[]; count: number }> {
    return search.searchCustomers(this.scope, query, options);
  }

  /** How many customers match `query`; with `atMost`, counting stops there (the answer is then `atMost` + 1). */
  countCustomers(query: CustomerQuery, options: { atMost?: number } = {}): Promise<number> {
    return search.countCustomers(this.scope, query, options);
  }

  findCustomerCandidates(query: { phrases: readonly string[]; domains?: readonly string[]; limit?: number }) {
    return search.findCustomerCandidates(this.scope, query);
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
