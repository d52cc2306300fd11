/**
 * A Stripe account as a BillingConnector. Reads and insights come from the mirror (the ledger's own queries on
 * the mirror's tables); writes go to Stripe, each with the operation's idempotency key as `Idempotency-Key` and
 * the proposal in metadata, and what Stripe answers is written to the mirror at once. Stripe keeps idempotency
 * keys about a day: a write whose execution started longer ago first looks for its effect by that metadata.
 */
import type Stripe from 'stripe';
import {
  type BalanceTransaction,
  type Charge,
  type Coupon,
  type CreditNote,
  type Customer,
  externalPayment,
  type Invoice,
  type Price,
  type Product,
  type Refund,
  type Subscription,
  type UsageRecord,
} from '../../domain/billing.ts';
import { badInput, invalidState, LeashError, notFound } from '../../domain/errors.ts';
import type * as Connector from '../connector.ts';
import { type Executor, LedgerReads } from '../ledger/ledger-reads.ts';
import { answeredAt, applyObjects, inMirror } from './mirror-store.ts';
import { type CallOptions, callStripe } from './stripe-calls.ts';
import { invoiceOf, type MirroredObject, type StripeObject } from './stripe-objects.ts';

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
class MirrorReads extends LedgerReads {
  override async now(): Promise<Date> {
    return new Date();
  }
}

type Reads = Omit<Connector.BillingConnector, 'name' | 'orgId'>;

const asObject = (value: unknown) => value as StripeObject;

/** The Stripe connector of one org, on one executor. */
export class StripeConnector implements Connector.BillingConnector {
  readonly name = 'stripe' as const;
  private access: Promise<StripeAccess> | undefined;

  constructor(
    private readonly executor: Executor,
    readonly orgId: string,
    private readonly source: StripeAccessSource,
  ) {}

  private read<T>(work: (reads: MirrorReads) => Promise<T>): Promise<T> {
    return inMirror(this.executor, (executor) => work(new MirrorReads(executor, this.orgId)));
  }

  private stripe(): Promise<StripeAccess> {
    this.access ??= this.source(this.executor, this.orgId);
    return this.access;
  }

  /** Writes Stripe's answer into the mirror, at the instant Stripe gave it. */
  private mirror(type: MirroredObject, ...objects: unknown[]): Promise<unknown> {
    const present = objects.filter((object): object is StripeObject => Boolean(object && typeof object === 'object'));
    return applyObjects(this.executor, this.orgId, type, present, answeredAt(present[0]));
  }

  /** One request with the retry policy; `what` finishes "Stripe refused to …". */
  private async call<T>(what: string, request: (stripe: Stripe) => Promise<T>): Promise<T> {
    const access = await this.stripe();
    return callStripe(access.calls, what, () => request(access.stripe));
  }

  /**
   * A write: when the execution behind `key` started over 23 hours ago, `recover` looks for the effect first
   * (by the key in metadata); otherwise, or when nothing is found, the request goes out with `key`.
   */
  private async write<T>(
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
  private async keyAge(key: string): Promise<number> {
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
  getInvoiceByNumber: Reads['getInvoiceByNumber'] = (number) => this.read((r) => r.getInvoiceByNumber(number));
  listInvoices: Reads['listInvoices'] = (query) => this.read((r) => r.listInvoices(query));
  countInvoices: Reads['countInvoices'] = (query) => this.read((r) => r.countInvoices(query));
  getCharge: Reads['getCharge'] = (id) => this.read((r) => r.getCharge(id));
  listCharges: Reads['listCharges'] = (query) => this.read((r) => r.listCharges(query));
  listRefunds: Reads['listRefunds'] = (filter) => this.read((r) => r.listRefunds(filter));
  listCreditNotes: Reads['listCreditNotes'] = (filter) => this.read((r) => r.listCreditNotes(filter));
  listBalanceTransactions: Reads['listBalanceTransactions'] = (id) => this.read((r) => r.listBalanceTransactions(id));
  listUsage: Reads['listUsage'] = (filter) => this.read((r) => r.listUsage(filter));
  customerCurrencies: Reads['customerCurrencies'] = () => this.read((r) => r.customerCurrencies());
  mrrAt: Reads['mrrAt'] = (input) => this.read((r) => r.mrrAt(input));
  mrrMovements: Reads['mrrMovements'] = (input) => this.read((r) => r.mrrMovements(input));
  expansionByCustomer: Reads['expansionByCustomer'] = (input) => this.read((r) => r.expansionByCustomer(input));
  paymentAttempts: Reads['paymentAttempts'] = (input) => this.read((r) => r.paymentAttempts(input));
  involuntaryChurn: Reads['involuntaryChurn'] = (input) => this.read((r) => r.involuntaryChurn(input));
  dunningOutcomes: Reads['dunningOutcomes'] = (input) => this.read((r) => r.dunningOutcomes(input));
  usageAgainstLimits: Reads['usageAgainstLimits'] = (input) => this.read((r) => r.usageAgainstLimits(input));
  overdueByCustomer: Reads['overdueByCustomer'] = (input) => this.read((r) => r.overdueByCustomer(input));

  // ---- previews: Stripe's own invoice preview ----------------------------------------------------------------

  async previewPlanChange(input: Connector.ChangePlanInput): Promise<Connector.PlanChangePreview> {
    const subscription = await this.getSubscription(input.subscriptionId);
    if (!subscription) throw notFound('subscription', input.subscriptionId);
    const item = subscription.items[0];
    if (!item) throw invalidState(`subscription ${subscription.id} has no items`);
    const prorationDate = Math.floor(Date.now() / 1000);
    const preview = asObject(
      await this.call('preview the plan change', (stripe) =>
        stripe.invoices.createPreview({
          subscription: subscription.id,
          subscription_details: {
            items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
            proration_date: prorationDate,
            proration_behavior: input.prorate === false ? 'none' : 'always_invoice',
          },
        }),
      ),
    );
    const invoice = invoiceOf({ ...preview, id: preview.id ?? 'upcoming' }, this.orgId);
    const proration = invoice.lines.filter((line) => line.proration);
    const renewal = await this.call('preview the next renewal', (stripe) =>
      stripe.invoices.createPreview({
        subscription: subscription.id,
        subscription_details: {
          items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
          proration_behavior: 'none',
        },
      }),
    );
    return {
      subscriptionId: subscription.id,
      fromPriceId: item.priceId,
      toPriceId: input.priceId,
      currency: subscription.currency,
      prorationDate: new Date(prorationDate * 1000),
      lines: proration.map(({ description, amount, quantity, priceId, periodStart, periodEnd }) => ({
        description,
        amount,
        quantity,
        priceId,
        periodStart,
        periodEnd,
        proration: true,
      })),
      amountDue: proration.reduce((sum, line) => sum + line.amount, 0),
      nextRenewalAmount: Number((renewal as { total?: number }).total ?? 0),
    };
  }

  async previewRenewals(subscriptions: readonly Subscription[]): Promise<Connector.UpcomingInvoice[]> {
    const renewing = subscriptions.filter(
      (subscription) =>
        ['trialing', 'active', 'past_due'].includes(subscription.status) && !subscription.cancelAtPeriodEnd,
    );
    const customers = new Map((await this.getCustomers(renewing.map((s) => s.customerId))).map((c) => [c.id, c]));
    const out: Connector.UpcomingInvoice[] = [];
    for (const subscription of renewing) {
      const customer = customers.get(subscription.customerId);
      if (!customer || customer.deletedAt) continue;
      const preview = asObject(
        await this.call('preview the renewal', (stripe) =>
          stripe.invoices.createPreview({ subscription: subscription.id }),
        ),
      );
      const invoice = invoiceOf({ ...preview, id: preview.id ?? 'upcoming' }, this.orgId);
      out.push({
        subscriptionId: subscription.id,
        customerId: customer.id,
        customerName: customer.name,
        date: subscription.currentPeriodEnd,
        currency: invoice.currency,
        lines: invoice.lines.map((line) => ({ description: line.description, amount: line.amount })),
        subtotal: invoice.subtotal,
        discount: invoice.discount,
        tax: invoice.tax,
        total: invoice.total,
      });
    }
    return out;
  }

  // ---- writes: Stripe, then the mirror -----------------------------------------------------------------------

  private metadata(key: string, extra: Record<string, string> = {}): Record<string, string> {
    const proposal = key.split(':')[0]?.replace(/^leash_/, '') ?? key;
    return { ...extra, leash_idempotency_key: key, leash_proposal_id: proposal };
  }

  private async mirrored<T>(read: () => Promise<T | undefined>, what: string, id: string): Promise<T> {
    const found = await read();
    if (!found) throw new LeashError('internal', `Stripe answered but the mirror has no ${what} ${id}`);
    return found;
  }

  async createCustomer(input: Connector.CreateCustomerInput, options: Connector.WriteOptions): Promise<Customer> {
    if (input.paymentMethod)
      throw badInput('paymentMethod', 'cards are added in Stripe (Checkout or the dashboard), not through Leash');
    const created = await this.write(options.idempotencyKey, 'create the customer', (stripe, request) =>
      stripe.customers.create(
        {
          name: input.name,
          email: input.email,
          address: { ...addressParams(input.address), country: input.country },
          metadata: this.metadata(options.idempotencyKey, { ...input.metadata, leash_currency: input.currency }),
        },
        request,
      ),
    );
    await this.mirror('customer', created);
    return this.mirrored(() => this.getCustomer(created.id), 'customer', created.id);
  }

  async updateCustomer(input: Connector.UpdateCustomerInput, options: Connector.WriteOptions): Promise<Customer> {
    if (input.paymentMethod !== undefined)
      throw badInput('paymentMethod', 'cards are changed in Stripe (the customer portal or the dashboard)');
    const current = await this.getCustomer(input.customerId);
    if (!current || current.deletedAt) throw notFound('customer', input.customerId);
    const address =
      input.address || input.country
        ? { ...addressParams({ ...current.address, ...input.address }), country: input.country ?? current.country }
        : undefined;
    const updated = await this.write(options.idempotencyKey, 'update the customer', (stripe, request) =>
      stripe.customers.update(
        input.customerId,
        {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(address ? { address } : {}),
          ...(input.metadata ? { metadata: input.metadata } : {}),
        },
        request,
      ),
    );
    await this.mirror('customer', updated);
    return this.mirrored(() => this.getCustomer(input.customerId), 'customer', input.customerId);
  }

  async createProduct(input: Connector.CreateProductInput, options: Connector.WriteOptions): Promise<Product> {
    const created = await this.write(options.idempotencyKey, 'create the product', (stripe, request) =>
      stripe.products.create(
        {
          name: input.name,
          ...(input.description ? { description: input.description } : {}),
          metadata: this.metadata(options.idempotencyKey, {
            leash_limits: JSON.stringify(input.limits ?? {}),
            ...(input.overage ? { leash_overage: input.overage } : {}),
            ...(input.legacy ? { leash_legacy: 'true' } : {}),
          }),
        },
        request,
      ),
    );
    await this.mirror('product', created);
    return this.mirrored(() => this.getProduct(created.id), 'product', created.id);
  }

  async createPrice(input: Connector.CreatePriceInput, options: Connector.WriteOptions): Promise<Price> {
    if (input.usageMetric)
      throw invalidState(
        'usage prices on Stripe bill through a Stripe meter: create the meter and its price in the Stripe dashboard',
      );
    const tiered = input.scheme === 'tiered';
    const created = await this.write(options.idempotencyKey, 'create the price', (stripe, request) =>
      stripe.prices.create(
        {
          product: input.productId,
          currency: input.currency,
          ...(input.nickname ? { nickname: input.nickname } : {}),
          ...(input.interval ? { recurring: { interval: input.interval } } : {}),
          ...(tiered
            ? {
                billing_scheme: 'tiered',
                tiers_mode: 'graduated',
                tiers: (input.tiers ?? []).map((tier) => ({
                  up_to: tier.upTo ?? 'inf',
                  unit_amount: tier.unitAmount,
                  flat_amount: tier.flatAmount,
                })),
              }
            : { unit_amount: input.unitAmount ?? 0 }),
          metadata: this.metadata(options.idempotencyKey, {
            ...(input.scheme === 'flat' ? { leash_scheme: 'flat' } : {}),
            ...(input.freeAllowance ? { leash_free_allowance: String(input.freeAllowance) } : {}),
            // Stripe sets trials on subscriptions: Leash keeps the price's default and applies it when subscribing.
            ...(input.trialDays ? { leash_trial_days: String(input.trialDays) } : {}),
          }),
          expand: ['tiers'],
        },
        request,
      ),
    );
    await this.mirror('price', created);
    return this.mirrored(() => this.getPrice(created.id), 'price', created.id);
  }

  async createCoupon(input: Connector.CreateCouponInput, options: Connector.WriteOptions): Promise<Coupon> {
    const created = await this.write(options.idempotencyKey, 'create the coupon', (stripe, request) =>
      stripe.coupons.create(
        {
          name: input.name,
          duration: input.duration,
          ...(input.durationInMonths ? { duration_in_months: input.durationInMonths } : {}),
          ...(input.percentOffBps !== undefined
            ? { percent_off: input.percentOffBps / 100 }
            : { amount_off: input.amountOff ?? 0, currency: input.currency ?? 'usd' }),
          ...(input.maxRedemptions ? { max_redemptions: input.maxRedemptions } : {}),
          metadata: this.metadata(options.idempotencyKey, {
            leash_code: input.code,
            ...(input.countries?.length ? { leash_countries: input.countries.join(',') } : {}),
          }),
        },
        request,
      ),
    );
    await this.mirror('coupon', created);
    return this.mirrored(() => this.getCoupon(created.id), 'coupon', created.id);
  }

  /** Reads a subscription back from Stripe with what the mirror needs expanded, and mirrors it. */
  private async refreshSubscription(subscriptionId: string): Promise<Subscription> {
    const fresh = await this.call('read the subscription', (stripe) =>
      stripe.subscriptions.retrieve(subscriptionId, { expand: ['discounts'] }),
    );
    await this.mirror('subscription', fresh);
    return this.mirrored(() => this.getSubscription(subscriptionId), 'subscription', subscriptionId);
  }

  /** Mirrors an invoice (read back with its payments) and the charges that paid it. */
  private async refreshInvoice(invoiceId: string): Promise<Invoice> {
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

  async createSubscription(
    input: Connector.CreateSubscriptionInput,
    options: Connector.WriteOptions,
  ): Promise<Subscription> {
    const prices = await Promise.all(input.items.map((item) => this.getPrice(item.priceId)));
    const trialDays = input.trialDays ?? Math.max(0, ...prices.map((price) => price?.trialDays ?? 0));
    const created = await this.write(options.idempotencyKey, 'create the subscription', (stripe, request) =>
      stripe.subscriptions.create(
        {
          customer: input.customerId,
          items: input.items.map((item) => ({ price: item.priceId, quantity: item.quantity ?? 1 })),
          ...(input.couponId ? { discounts: [{ coupon: input.couponId }] } : {}),
          ...(trialDays ? { trial_period_days: trialDays } : {}),
          metadata: this.metadata(options.idempotencyKey),
          expand: ['discounts'],
        },
        request,
      ),
    );
    await this.mirror('subscription', created);
    const invoiceId = typeof created.latest_invoice === 'string' ? created.latest_invoice : created.latest_invoice?.id;
    if (invoiceId) await this.refreshInvoice(invoiceId);
    return this.mirrored(() => this.getSubscription(created.id), 'subscription', created.id);
  }

  async changePlan(
    input: Connector.ChangePlanInput,
    options: Connector.WriteOptions,
  ): Promise<{ subscription: Subscription; invoice: Invoice | null }> {
    const current = await this.getSubscription(input.subscriptionId);
    if (!current) throw notFound('subscription', input.subscriptionId);
    const item = current.items[0];
    if (!item) throw invalidState(`subscription ${current.id} has no items`);
    const key = options.idempotencyKey;
    const updated = await this.write(
      key,
      'change the plan',
      (stripe, request) =>
        stripe.subscriptions.update(
          current.id,
          {
            items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
            proration_behavior: input.prorate === false ? 'none' : 'always_invoice',
            metadata: { leash_last_change: key },
            expand: ['discounts'],
          },
          request,
        ),
      async (stripe) => {
        const found = await stripe.subscriptions.retrieve(current.id, { expand: ['discounts'] });
        return found.metadata?.leash_last_change === key ? found : undefined;
      },
    );
    await this.mirror('subscription', updated);
    const invoiceId = input.prorate === false ? undefined : latestInvoiceId(updated);
    const invoice = invoiceId ? await this.refreshInvoice(invoiceId) : null;
    return {
      subscription: await this.mirrored(() => this.getSubscription(current.id), 'subscription', current.id),
      invoice,
    };
  }

  async cancelSubscription(
    input: Connector.CancelSubscriptionInput,
    options: Connector.WriteOptions,
  ): Promise<Subscription> {
    const details = input.reason ? { cancellation_details: { comment: input.reason } } : {};
    const updated = input.atPeriodEnd
      ? await this.write(options.idempotencyKey, 'cancel the subscription at period end', (stripe, request) =>
          stripe.subscriptions.update(
            input.subscriptionId,
            { cancel_at_period_end: true, ...details, expand: ['discounts'] },
            request,
          ),
        )
      : await this.write(options.idempotencyKey, 'cancel the subscription', (stripe, request) =>
          stripe.subscriptions.cancel(input.subscriptionId, { ...details, expand: ['discounts'] }, request),
        );
    await this.mirror('subscription', updated);
    return this.mirrored(() => this.getSubscription(input.subscriptionId), 'subscription', input.subscriptionId);
  }

  async applyCoupon(
    input: { subscriptionId: string; couponId: string },
    options: Connector.WriteOptions,
  ): Promise<Subscription> {
    const updated = await this.write(options.idempotencyKey, 'apply the coupon', (stripe, request) =>
      stripe.subscriptions.update(
        input.subscriptionId,
        { discounts: [{ coupon: input.couponId }], expand: ['discounts'] },
        request,
      ),
    );
    await this.mirror('subscription', updated);
    const coupon = await this.call('read the coupon', (stripe) => stripe.coupons.retrieve(input.couponId));
    await this.mirror('coupon', coupon);
    return this.mirrored(() => this.getSubscription(input.subscriptionId), 'subscription', input.subscriptionId);
  }

  async removeCoupon(input: { subscriptionId: string }, options: Connector.WriteOptions): Promise<Subscription> {
    await this.write(options.idempotencyKey, 'remove the discount', (stripe) =>
      stripe.subscriptions.deleteDiscount(input.subscriptionId).catch((error: { statusCode?: number }) => {
        // Already gone (a retry after a lost answer): nothing to remove.
        if (error.statusCode === 404) return undefined;
        throw error;
      }),
    );
    return this.refreshSubscription(input.subscriptionId);
  }

  async refundCharge(input: Connector.RefundChargeInput, options: Connector.WriteOptions): Promise<Refund> {
    const key = options.idempotencyKey;
    const refund = await this.write(
      key,
      'refund the charge',
      (stripe, request) =>
        stripe.refunds.create(
          {
            charge: input.chargeId,
            ...(input.amount !== undefined ? { amount: input.amount } : {}),
            metadata: this.metadata(key, input.reason ? { leash_reason: input.reason.slice(0, 500) } : {}),
          },
          request,
        ),
      async (stripe) => {
        const earlier = await stripe.refunds.list({ charge: input.chargeId, limit: 100 });
        return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
      },
    );
    const charge = await this.call('read the refunded charge', (stripe) => stripe.charges.retrieve(input.chargeId));
    await this.mirror('charge', charge);
    await this.mirror('refund', refund);
    const [mirrored] = await this.listRefunds({ chargeId: input.chargeId }).then((all) =>
      all.filter((row) => row.id === refund.id),
    );
    if (!mirrored) throw new LeashError('internal', `Stripe answered but the mirror has no refund ${refund.id}`);
    return mirrored;
  }

  async creditCustomer(
    input: Connector.CreditCustomerInput,
    options: Connector.WriteOptions,
  ): Promise<BalanceTransaction> {
    const key = options.idempotencyKey;
    const transaction = await this.write(
      key,
      'credit the customer',
      (stripe, request) =>
        stripe.customers.createBalanceTransaction(
          input.customerId,
          {
            amount: -input.amount,
            currency: input.currency,
            description: input.description,
            metadata: this.metadata(key),
          },
          request,
        ),
      async (stripe) => {
        const earlier = await stripe.customers.listBalanceTransactions(input.customerId, { limit: 100 });
        return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
      },
    );
    const customer = await this.call('read the customer', (stripe) =>
      stripe.customers.retrieve(input.customerId, { expand: ['invoice_settings.default_payment_method'] }),
    );
    await this.mirror('customer', customer);
    await this.mirror('customer_balance_transaction', transaction);
    const found = (await this.listBalanceTransactions(input.customerId)).find((row) => row.id === transaction.id);
    if (!found)
      throw new LeashError('internal', `Stripe answered but the mirror has no balance change ${transaction.id}`);
    return found;
  }

  async createCreditNote(input: Connector.CreateCreditNoteInput, options: Connector.WriteOptions): Promise<CreditNote> {
    const key = options.idempotencyKey;
    const note = await this.write(
      key,
      'issue the credit note',
      (stripe, request) =>
        stripe.creditNotes.create(
          { invoice: input.invoiceId, amount: input.amount, memo: input.reason, metadata: this.metadata(key) },
          request,
        ),
      async (stripe) => {
        const earlier = await stripe.creditNotes.list({ invoice: input.invoiceId, limit: 100 });
        return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
      },
    );
    await this.mirror('credit_note', note);
    await this.refreshInvoice(input.invoiceId);
    const found = (await this.listCreditNotes({ invoiceId: input.invoiceId })).find((row) => row.id === note.id);
    if (!found) throw new LeashError('internal', `Stripe answered but the mirror has no credit note ${note.id}`);
    return found;
  }

  async payInvoice(
    input: { invoiceId: string },
    options: Connector.WriteOptions,
  ): Promise<{ invoice: Invoice; charge: Charge | null }> {
    const before = await this.getInvoice(input.invoiceId);
    if (!before) throw notFound('invoice', input.invoiceId);
    if (before.status !== 'open') throw invalidState(`invoice ${before.number} is ${before.status}, not open`);
    const started = Math.floor(Date.now() / 1000) - 1;
    try {
      await this.write(options.idempotencyKey, 'collect the invoice', (stripe, request) =>
        stripe.invoices.pay(input.invoiceId, {}, request),
      );
    } catch (error) {
      // A declined card is an answer, not a failure: the attempt and its failed charge are the result.
      if (!(error instanceof LeashError && error.details.stripeCode === 'card_declined')) throw error;
    }
    const invoice = await this.refreshInvoice(input.invoiceId);
    const [charge] = await this.listCharges({
      customerId: invoice.customerId,
      createdFrom: new Date(started * 1000),
      limit: 1,
    });
    return { invoice, charge: charge ?? null };
  }

  async recordPayment(
    input: Connector.RecordPaymentInput,
    options: Connector.WriteOptions,
  ): Promise<{ invoice: Invoice; charge: Charge }> {
    const before = await this.getInvoice(input.invoiceId);
    if (!before) throw notFound('invoice', input.invoiceId);
    if (input.amount !== before.amountRemaining)
      throw badInput(
        'amount',
        `Stripe records a payment made outside it for the whole invoice only (${before.amountRemaining} remaining)`,
      );
    await this.write(options.idempotencyKey, 'mark the invoice paid out of band', (stripe, request) =>
      stripe.invoices.pay(input.invoiceId, { paid_out_of_band: true }, request),
    );
    const invoice = await this.refreshInvoice(input.invoiceId);
    // Stripe keeps no charge for money received elsewhere: the payment is described, not stored.
    const charge = externalPayment(invoice, {
      id: `oob_${invoice.id}`,
      amount: input.amount,
      at: invoice.paidAt ?? new Date(),
    });
    return { invoice, charge };
  }

  async voidInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    await this.write(options.idempotencyKey, 'void the invoice', (stripe, request) =>
      stripe.invoices.voidInvoice(input.invoiceId, {}, request),
    );
    return this.refreshInvoice(input.invoiceId);
  }

  async createInvoice(input: Connector.CreateInvoiceInput, options: Connector.WriteOptions): Promise<Invoice> {
    const key = options.idempotencyKey;
    const customer = await this.getCustomer(input.customerId);
    if (!customer || customer.deletedAt) throw notFound('customer', input.customerId);
    const invoice = await this.write(key, 'create the invoice', (stripe, request) =>
      stripe.invoices.create(
        {
          customer: input.customerId,
          currency: input.currency ?? customer.currency,
          collection_method: 'send_invoice',
          days_until_due: input.daysUntilDue ?? 30,
          auto_advance: false,
          pending_invoice_items_behavior: 'exclude',
          ...(input.memo ? { description: input.memo } : {}),
          metadata: this.metadata(key),
        },
        request,
      ),
    );
    for (const [index, line] of input.lines.entries()) {
      const quantity = line.quantity ?? 1;
      await this.write(`${key}:line:${index}`, 'add the invoice line', (stripe, request) =>
        stripe.invoiceItems.create(
          {
            customer: input.customerId,
            invoice: invoice.id,
            currency: input.currency ?? customer.currency,
            amount: line.amount * quantity,
            description: quantity === 1 ? line.description : `${line.description} × ${quantity}`,
            metadata: this.metadata(`${key}:line:${index}`),
          },
          request,
        ),
      );
    }
    return this.refreshInvoice(invoice.id);
  }

  async finalizeInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    await this.write(options.idempotencyKey, 'finalize the invoice', (stripe, request) =>
      stripe.invoices.finalizeInvoice(input.invoiceId, {}, request),
    );
    return this.refreshInvoice(input.invoiceId);
  }

  async sendInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    const key = options.idempotencyKey;
    const sent = await this.write(key, 'send the invoice', (stripe, request) =>
      stripe.invoices.sendInvoice(input.invoiceId, {}, request),
    );
    // Stripe keeps no sent time; Leash notes its own sends on the invoice.
    await this.write(`${key}:sent`, 'note the invoice as sent', (stripe, request) =>
      stripe.invoices.update(input.invoiceId, { metadata: { leash_sent_at: String(answeredAt(sent)) } }, request),
    );
    return this.refreshInvoice(input.invoiceId);
  }

  async recordUsage(_input: Connector.RecordUsageInput, _options: Connector.WriteOptions): Promise<UsageRecord> {
    throw invalidState('usage on Stripe is reported as meter events by your product, not recorded through Leash');
  }
}

function addressParams(address: Customer['address'] | undefined): Stripe.AddressParam {
  return {
    ...(address?.line1 ? { line1: address.line1 } : {}),
    ...(address?.line2 ? { line2: address.line2 } : {}),
    ...(address?.city ? { city: address.city } : {}),
    ...(address?.postalCode ? { postal_code: address.postalCode } : {}),
    ...(address?.state ? { state: address.state } : {}),
  };
}

function latestInvoiceId(subscription: Stripe.Subscription): string | undefined {
  const latest = subscription.latest_invoice;
  return typeof latest === 'string' ? latest : latest?.id;
}
