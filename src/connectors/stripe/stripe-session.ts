/**
 * One org's Stripe account, the half of the connector that every write shares: reaching Stripe (the pace, the
 * retries, the operation's idempotency key, and after a day recovery by that key in metadata, since Stripe keeps
 * keys about 24 hours), writing Stripe's answers into the mirror, and every read and insight, which the ledger's
 * own queries answer from the mirror's tables.
 */
import type Stripe from 'stripe';
import type { Invoice, Subscription } from '../../domain/billing.ts';
import { LeashError } from '../../domain/errors.ts';
import type * as Connector from '../connector.ts';
import { type Executor, LedgerReads } from '../ledger/ledger-reads.ts';
import { answeredAt, applyObjects, inMirror } from './mirror-store.ts';
import { type CallOptions, callStripe } from './stripe-calls.ts';
import type { MirroredObject, StripeObject } from './stripe-objects.ts';

/** How the connector reaches Stripe: a client and the pace and retries its calls keep. */
export interface StripeAccess {
  stripe: Stripe;
  calls: CallOptions;
}

/** Opens an org's Stripe access (the operations layer opens the stored key: operations/stripe-access.ts). */
export type StripeAccessSource = (executor: Executor, orgId: string) => Promise<StripeAccess>;

/** Stripe keeps an idempotency key about 24 hours; past 23, look for the effect before sending again. */
const KEY_TRUSTED_MS = 23 * 3600 * 1000;

/** The mirror read with the wall clock as "now". */
export class MirrorReads extends LedgerReads {
  override async now(): Promise<Date> {
    return new Date();
  }
}

type Reads = Omit<Connector.BillingConnector, 'name' | 'orgId'>;

/** A Stripe SDK answer as the mirror reads it. */
export const asObject = (value: unknown) => value as StripeObject;

/** One org's Stripe account on one executor: requests, the mirror's writes, and the reads the connector answers. */
export class StripeSession {
  readonly name = 'stripe' as const;
  private access: Promise<StripeAccess> | undefined;

  constructor(
    readonly executor: Executor,
    readonly orgId: string,
    private readonly source: StripeAccessSource,
  ) {}

  read<T>(work: (reads: MirrorReads) => Promise<T>): Promise<T> {
    return inMirror(this.executor, (executor) => work(new MirrorReads(executor, this.orgId)));
  }

  stripe(): Promise<StripeAccess> {
    this.access ??= this.source(this.executor, this.orgId);
    return this.access;
  }

  /** Writes Stripe's answer into the mirror, at the instant Stripe gave it. */
  mirror(type: MirroredObject, ...objects: unknown[]): Promise<unknown> {
    const present = objects.filter((object): object is StripeObject => Boolean(object && typeof object === 'object'));
    return applyObjects(this.executor, this.orgId, type, present, answeredAt(present[0]));
  }

  /** One request with the retry policy; `what` finishes "Stripe refused to …". */
  async call<T>(what: string, request: (stripe: Stripe) => Promise<T>): Promise<T> {
    const access = await this.stripe();
    return callStripe(access.calls, what, () => request(access.stripe));
  }

  /**
   * A write: when the execution behind `key` started over 23 hours ago, `recover` looks for the effect first
   * (by the key in metadata); otherwise, or when nothing is found, the request goes out with `key`.
   */
  async write<T>(
    key: string,
    what: string,
    request: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<T>,
    recover?: (stripe: Stripe) => Promise<T | undefined>,
  ): Promise<T> {
    if (recover && (await this.keyAge(key)) > KEY_TRUSTED_MS) {
      const found = await this.call(`look for an earlier ${what}`, recover);
      if (found !== undefined) return found;
    }
    return this.call(what, (stripe) => request(stripe, { idempotencyKey: key }));
  }

  /** How long ago the execution that owns `key` started (0 when it is not an execution's key). */
  async keyAge(key: string): Promise<number> {
    const row = await this.executor
      .selectFrom('executions')
      .select('startedAt')
      .where('orgId', '=', this.orgId)
      .where('idempotencyKey', '=', key.split(':')[0] ?? key)
      .executeTakeFirst();
    return row ? Date.now() - new Date(row.startedAt).getTime() : 0;
  }

  // ---- reads: the mirror -------------------------------------------------------------------------------------

  now: Reads['now'] = async () => new Date();
  getCustomer: Reads['getCustomer'] = (id) => this.read((r) => r.getCustomer(id));
  getCustomers: Reads['getCustomers'] = (ids) => this.read((r) => r.getCustomers(ids));
  findCustomers: Reads['findCustomers'] = (query) => this.read((r) => r.findCustomers(query));
  countCustomers: Reads['countCustomers'] = (query, options) => this.read((r) => r.countCustomers(query, options));
  searchCustomers: Reads['searchCustomers'] = (query, options) => this.read((r) => r.searchCustomers(query, options));
  findCustomerCandidates: Reads['findCustomerCandidates'] = (query) =>
    this.read((r) => r.findCustomerCandidates(query));
  getProduct: Reads['getProduct'] = (id) => this.read((r) => r.getProduct(id));
  listProducts: Reads['listProducts'] = () => this.read((r) => r.listProducts());
  getPrice: Reads['getPrice'] = (id) => this.read((r) => r.getPrice(id));
  listPrices: Reads['listPrices'] = (filter) => this.read((r) => r.listPrices(filter));
  getCoupon: Reads['getCoupon'] = (idOrCode) => this.read((r) => r.getCoupon(idOrCode));
  listCoupons: Reads['listCoupons'] = () => this.read((r) => r.listCoupons());
  getSubscription: Reads['getSubscription'] = (id) => this.read((r) => r.getSubscription(id));
  listSubscriptions: Reads['listSubscriptions'] = (query) => this.read((r) => r.listSubscriptions(query));
  countSubscriptions: Reads['countSubscriptions'] = (query) => this.read((r) => r.countSubscriptions(query));
  findDuplicateSubscriptions: Reads['findDuplicateSubscriptions'] = (filter) =>
    this.read((r) => r.findDuplicateSubscriptions(filter));
  findDoubleCharges: Reads['findDoubleCharges'] = (filter) => this.read((r) => r.findDoubleCharges(filter));
  getInvoice: Reads['getInvoice'] = (id) => this.read((r) => r.getInvoice(id));
  getInvoices: Reads['getInvoices'] = (ids) => this.read((r) => r.getInvoices(ids));
  getInvoiceByNumber: Reads['getInvoiceByNumber'] = (number) => this.read((r) => r.getInvoiceByNumber(number));
  listInvoices: Reads['listInvoices'] = (query) => this.read((r) => r.listInvoices(query));
  countInvoices: Reads['countInvoices'] = (query) => this.read((r) => r.countInvoices(query));
  getCharge: Reads['getCharge'] = (id) => this.read((r) => r.getCharge(id));
  listCharges: Reads['listCharges'] = (query) => this.read((r) => r.listCharges(query));
  countCharges: Reads['countCharges'] = (query) => this.read((r) => r.countCharges(query));
  listRefunds: Reads['listRefunds'] = (filter) => this.read((r) => r.listRefunds(filter));
  listCreditNotes: Reads['listCreditNotes'] = (filter) => this.read((r) => r.listCreditNotes(filter));
  listBalanceTransactions: Reads['listBalanceTransactions'] = (id) => this.read((r) => r.listBalanceTransactions(id));
  listUsage: Reads['listUsage'] = (filter) => this.read((r) => r.listUsage(filter));
  customerCurrencies: Reads['customerCurrencies'] = () => this.read((r) => r.customerCurrencies());
  mrrAt: Reads['mrrAt'] = (input) => this.read((r) => r.mrrAt(input));
  mrrMovements: Reads['mrrMovements'] = (input) => this.read((r) => r.mrrMovements(input));
  expansionByCustomer: Reads['expansionByCustomer'] = (input) => this.read((r) => r.expansionByCustomer(input));
  paymentAttempts: Reads['paymentAttempts'] = (input) => this.read((r) => r.paymentAttempts(input));
  openFailedInvoices: Reads['openFailedInvoices'] = (input) => this.read((r) => r.openFailedInvoices(input));
  involuntaryChurn: Reads['involuntaryChurn'] = (input) => this.read((r) => r.involuntaryChurn(input));
  dunningOutcomes: Reads['dunningOutcomes'] = (input) => this.read((r) => r.dunningOutcomes(input));
  usageAgainstLimits: Reads['usageAgainstLimits'] = (input) => this.read((r) => r.usageAgainstLimits(input));
  overdueByCustomer: Reads['overdueByCustomer'] = (input) => this.read((r) => r.overdueByCustomer(input));

  // ---- for the write modules ------------------------------------------------------------------------------

  metadata(key: string, extra: Record<string, string> = {}): Record<string, string> {
    const proposal = key.split(':')[0]?.replace(/^leash_/, '') ?? key;
    return { ...extra, leash_idempotency_key: key, leash_proposal_id: proposal };
  }

  async mirrored<T>(read: () => Promise<T | undefined>, what: string, id: string): Promise<T> {
    const found = await read();
    if (!found) throw new LeashError('internal', `Stripe answered but the mirror has no ${what} ${id}`);
    return found;
  }

  /** Reads a subscription back from Stripe with what the mirror needs expanded, and mirrors it. */
  async refreshSubscription(subscriptionId: string): Promise<Subscription> {
    const fresh = await this.call('read the subscription', (stripe) =>
      stripe.subscriptions.retrieve(subscriptionId, { expand: ['discounts'] }),
    );
    await this.mirror('subscription', fresh);
    return this.mirrored(() => this.getSubscription(subscriptionId), 'subscription', subscriptionId);
  }

  /** Mirrors an invoice (read back with its payments) and the charges that paid it. */
  async refreshInvoice(invoiceId: string): Promise<Invoice> {
    const fresh = asObject(
      await this.call('read the invoice', (stripe) => stripe.invoices.retrieve(invoiceId, { expand: ['payments'] })),
    );
    await this.mirror('invoice', fresh);
    const customer = typeof fresh.customer === 'string' ? fresh.customer : undefined;
    if (customer) {
      const charges = await this.call('read the invoice’s charges', (stripe) =>
        stripe.charges.list({ customer, limit: 10 }),
      );
      await applyObjects(
        this.executor,
        this.orgId,
        'charge',
        charges.data as unknown as StripeObject[],
        answeredAt(charges),
      );
    }
    return this.mirrored(() => this.getInvoice(invoiceId), 'invoice', invoiceId);
  }
}
