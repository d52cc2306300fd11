/**
 * The one interface between operations and a billing system. The embedded ledger implements it; the Stripe
 * connector will too. A connector is bound to one org and one database executor (so a write and its audit
 * row share a transaction). Only operations may call a connector (ARCHITECTURE.md §3.1).
 *
 * Not-found is `undefined` on reads; writes throw LeashError (`not_found`, `invalid_state`, `bad_input`,
 * `conflict` when an idempotency key is reused with a different request).
 */
import type {
  Address,
  BalanceTransaction,
  BillingScheme,
  Charge,
  Coupon,
  CouponDuration,
  CreditNote,
  Customer,
  Invoice,
  InvoiceLine,
  InvoiceStatus,
  PaymentMethod,
  PlanLimits,
  Price,
  PriceInterval,
  PriceTier,
  Product,
  Refund,
  RenewalPreview,
  Subscription,
  SubscriptionStatus,
  UsageRecord,
} from '../domain/billing.ts';
import type { Currency } from '../domain/money.ts';

/** Every write carries the key that makes it happen at most once, and the proposal it came from. */
export interface WriteOptions {
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

/** Paging for list reads. */
export interface Page {
  limit?: number;
  offset?: number;
}

/** The columns a customer listing can be sorted by. */
export const CUSTOMER_SORT_COLUMNS = ['name', 'email', 'country', 'balance', 'created'] as const;
/** The columns an invoice listing can be sorted by. */
export const INVOICE_SORT_COLUMNS = ['number', 'status', 'total', 'remaining', 'due', 'created'] as const;
/** The columns a charge listing can be sorted by. */
export const CHARGE_SORT_COLUMNS = ['created', 'amount', 'status', 'refunded'] as const;

/** A listing's order: one allow-listed column and a direction (ties broken by id, so pages never overlap). */
export interface ListSort<Column extends string> {
  column: Column;
  direction: 'asc' | 'desc';
}

/** Customer search: free text matches name (fuzzy), email, id or an invoice number. */
export interface CustomerQuery extends Page {
  text?: string;
  email?: string;
  /** The exact name, any case. */
  name?: string;
  country?: string;
  /** Default: best match first for text, else newest first. */
  sort?: ListSort<(typeof CUSTOMER_SORT_COLUMNS)[number]>;
}

/** Invoice filters. `overdue`: open, past its due date at the ledger's "now". */
export interface InvoiceQuery extends Page {
  customerId?: string;
  subscriptionId?: string;
  status?: InvoiceStatus;
  overdue?: boolean;
  /** Created at or after this instant. */
  createdFrom?: Date;
  /** Created before this instant. */
  createdTo?: Date;
  /** Only invoices whose total is at least this, in minor units. */
  minTotal?: number;
  currency?: Currency;
  /** Default: newest first (overdue: longest overdue first). */
  sort?: ListSort<(typeof INVOICE_SORT_COLUMNS)[number]>;
}

/** Charge filters. */
export interface ChargeQuery extends Page {
  customerId?: string;
  invoiceId?: string;
  status?: Charge['status'];
  createdFrom?: Date;
  createdTo?: Date;
  /** Default: newest first. */
  sort?: ListSort<(typeof CHARGE_SORT_COLUMNS)[number]>;
}

/** Subscription filters. */
export interface SubscriptionQuery extends Page {
  customerId?: string;
  status?: SubscriptionStatus;
  /** Only trialing, active or past-due subscriptions (the ones that still bill). */
  live?: boolean;
  /** Only subscriptions of customers in this country (ISO code). */
  country?: string;
  priceId?: string;
  productId?: string;
  /** Created at or after this instant. */
  createdFrom?: Date;
  /** Created before this instant. */
  createdTo?: Date;
  /** Only live subscriptions not set to cancel at period end: the ones whose period end bills a renewal. */
  renewing?: boolean;
  /** `newest` (default): newest created first; `renewal`: soonest period end first. */
  order?: 'newest' | 'renewal';
}

/** Two or more live subscriptions of one customer to the same product: the customer is billed twice. */
export interface DuplicateSubscriptions {
  customerId: string;
  productId: string;
  /** The live subscriptions, oldest first: the first is usually the one to keep. */
  subscriptions: Subscription[];
}

/** One calendar month (UTC) of MRR movements, in minor units; churn and contraction are positive amounts lost. */
export interface MrrMovementMonth {
  month: string;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
}

/** A customer's MRR growth in a period. */
export interface CustomerExpansion {
  customerId: string;
  expansion: number;
  contraction: number;
}

/** Card payment attempts of one month, country and outcome (`failureCode` null: succeeded). */
export interface PaymentAttemptRow {
  month: string;
  country: string;
  failureCode: string | null;
  attempts: number;
  amount: number;
}

/** Failed payment attempts with one failure code on one invoice still open, with the customer's country. */
export interface OpenFailedInvoice {
  invoiceId: string;
  country: string;
  failureCode: string;
  failures: number;
}

/** A subscription that ended because its payments failed, with the MRR it carried. */
export interface InvoluntaryChurnRow {
  subscriptionId: string;
  customerId: string;
  endedAt: Date;
  currency: Currency;
  mrr: number;
}

/** Invoices that entered dunning, by currency and outcome: recovered (paid), lost (uncollectible or void), open. */
export interface DunningOutcome {
  currency: Currency;
  outcome: 'recovered' | 'lost' | 'open';
  invoices: number;
  amount: number;
}

/** What a customer owes past due, in one currency, with aging buckets (amounts past due more than N days). */
export interface OverdueCustomer {
  customerId: string;
  name: string;
  currency: Currency;
  invoices: number;
  amount: number;
  oldestDueDate: Date;
  over30: number;
  over60: number;
  over90: number;
}

/** A live subscription's usage of one metric in a period, against its plan's limit of the same name. */
export interface LimitUsage {
  subscriptionId: string;
  customerId: string;
  product: string;
  limit: string;
  used: number;
  allowed: number;
}

/** Revenue analytics a connector answers from its own data (the ledger's tables; Stripe's mirror). */
export interface RevenueAnalytics {
  /** The currencies customers are billed in, most customers first. */
  customerCurrencies(): Promise<{ currency: Currency; customers: number }[]>;
  /** MRR in one currency at an instant, in minor units. */
  mrrAt(input: { currency: Currency; at: Date }): Promise<number>;
  /** MRR movements by month for changes in [from, until). */
  mrrMovements(input: { currency: Currency; from: Date; until: Date }): Promise<MrrMovementMonth[]>;
  /** Customers by expansion in [from, until), largest first. */
  expansionByCustomer(input: {
    currency: Currency;
    from: Date;
    until: Date;
    limit: number;
  }): Promise<CustomerExpansion[]>;
  /** Card payment attempts in [from, until) by month, country and outcome. */
  paymentAttempts(input: { from: Date; until: Date }): Promise<PaymentAttemptRow[]>;
  /**
   * Invoices still open (something left to collect) with failed payment attempts in [from, until) for one of
   * `failureCodes`: one row per invoice and code, with the customer's country.
   */
  openFailedInvoices(input: { from: Date; until: Date; failureCodes: readonly string[] }): Promise<OpenFailedInvoice[]>;
  /** Subscriptions ended for non-payment in [from, until). */
  involuntaryChurn(input: { from: Date; until: Date }): Promise<InvoluntaryChurnRow[]>;
  /** Invoices whose first failed card attempt was in [from, until), by currency and where they ended up. */
  dunningOutcomes(input: { from: Date; until: Date }): Promise<DunningOutcome[]>;
  /**
   * Usage against plan limits for live subscriptions, in the current period or the one before, highest share
   * first (metrics ending in `_thousands` count in thousands toward the limit without the suffix).
   * `periodsBack` (0 = current, 1 = previous, 2 = the one before…) overrides `previous` when given; earlier
   * periods are counted from the billing anchor as renewals are (a month is a calendar month, clamped).
   */
  usageAgainstLimits(input: {
    customerId?: string;
    previous: boolean;
    periodsBack?: number;
    minShare: number;
    limit: number;
  }): Promise<LimitUsage[]>;
  /** Past-due amounts per customer at an instant, most owed first. */
  overdueByCustomer(input: { at: Date; limit: number }): Promise<OverdueCustomer[]>;
}

/** What a plan change would bill: exact proration lines and the amount due now. */
export interface PlanChangePreview {
  subscriptionId: string;
  fromPriceId: string;
  toPriceId: string;
  currency: Currency;
  prorationDate: Date;
  lines: Pick<
    InvoiceLine,
    'description' | 'amount' | 'quantity' | 'priceId' | 'periodStart' | 'periodEnd' | 'proration'
  >[];
  /** Sum of the proration lines before tax: positive is owed by the customer, negative is credit. */
  amountDue: number;
  nextRenewalAmount: number;
}

/**
 * The invoice a subscription's next renewal will issue, priced ahead: lines (discount and tax included, so they
 * sum to `total`), amounts in minor units. Metered usage is not known ahead: a zero line, billed on actual use.
 */
export interface UpcomingInvoice extends RenewalPreview {
  subscriptionId: string;
  customerId: string;
  customerName: string;
}

/** What happened while the clock moved. */
export interface ClockReport {
  from: Date;
  to: Date;
  invoicesCreated: number;
  paymentsSucceeded: number;
  paymentsFailed: number;
  subscriptionsRenewed: number;
  subscriptionsCanceled: number;
  trialsEnded: number;
}

/** Inputs of the writes. Amounts are minor units. */
export interface CreateCustomerInput {
  name: string;
  email: string;
  country: string;
  currency: Currency;
  address?: Address;
  metadata?: Record<string, string>;
  paymentMethod?: PaymentMethod | null;
}
export interface UpdateCustomerInput {
  customerId: string;
  name?: string;
  email?: string;
  country?: string;
  address?: Address;
  metadata?: Record<string, string>;
  paymentMethod?: PaymentMethod | null;
}
export interface CreateProductInput {
  name: string;
  description?: string;
  limits?: PlanLimits;
  overage?: string;
  legacy?: boolean;
}
export interface CreatePriceInput {
  productId: string;
  nickname?: string;
  currency: Currency;
  interval: PriceInterval | null;
  scheme: BillingScheme;
  unitAmount?: number;
  tiers?: PriceTier[];
  usageMetric?: string | null;
  freeAllowance?: number;
  trialDays?: number;
}
export interface CreateCouponInput {
  code: string;
  name: string;
  percentOffBps?: number;
  amountOff?: number;
  currency?: Currency;
  duration: CouponDuration;
  durationInMonths?: number;
  countries?: string[];
  maxRedemptions?: number;
}
export interface CreateSubscriptionInput {
  customerId: string;
  items: { priceId: string; quantity?: number }[];
  couponId?: string;
  /** Overrides the price's trial days. */
  trialDays?: number;
}
export interface ChangePlanInput {
  subscriptionId: string;
  priceId: string;
  quantity?: number;
  /** Bill the proration now (default) or only switch the price for the next period. */
  prorate?: boolean;
}
export interface CancelSubscriptionInput {
  subscriptionId: string;
  atPeriodEnd: boolean;
  reason?: string;
}
export interface RefundChargeInput {
  chargeId: string;
  /** Omitted: the refundable remainder. */
  amount?: number;
  reason: string;
}
export interface CreditCustomerInput {
  customerId: string;
  amount: number;
  currency: Currency;
  description: string;
}
export interface CreateCreditNoteInput {
  invoiceId: string;
  amount: number;
  reason: string;
}
export interface CreateInvoiceInput {
  customerId: string;
  currency?: Currency;
  lines: { description: string; amount: number; quantity?: number }[];
  daysUntilDue?: number;
  memo?: string;
}
export interface RecordPaymentInput {
  invoiceId: string;
  amount: number;
  reference: string;
}
export interface RecordUsageInput {
  subscriptionId: string;
  metric: string;
  quantity: number;
  timestamp?: Date;
}

/** A billing system, as operations see it. */
export interface BillingConnector extends RevenueAnalytics {
  readonly name: 'ledger' | 'stripe';
  readonly orgId: string;

  /** The billing system's "now" (the ledger's simulated clock; wall time for Stripe). */
  now(): Promise<Date>;

  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** The org's customers with these ids (deleted ones too), in no particular order; unknown ids are left out. */
  getCustomers(customerIds: readonly string[]): Promise<Customer[]>;
  findCustomers(query: CustomerQuery): Promise<Customer[]>;
  /** How many customers `findCustomers` would find without paging. */
  /** How many match; with `atMost`, counting stops after `atMost` + 1 (which then means "more than atMost"). */
  countCustomers(query: CustomerQuery, options?: { atMost?: number }): Promise<number>;
  /** `findCustomers` and `countCustomers` of one query at once (the search text matched once, not twice). */
  searchCustomers(
    query: CustomerQuery,
    options?: { atMost?: number },
  ): Promise<{ customers: Customer[]; count: number }>;
  /**
   * Customers whose name may be one of `phrases` (lowercase): trigram-similar, starting with the phrase, or
   * equal to it once spaces and punctuation are dropped; and customers whose email is at one of `domains`.
   * Candidates only, at most `limit`: the caller decides what matches.
   */
  findCustomerCandidates(query: {
    phrases: readonly string[];
    domains?: readonly string[];
    limit?: number;
  }): Promise<Customer[]>;
  getProduct(productId: string): Promise<Product | undefined>;
  listProducts(): Promise<Product[]>;
  getPrice(priceId: string): Promise<Price | undefined>;
  listPrices(filter?: { productId?: string }): Promise<Price[]>;
  /** By id or by code. */
  getCoupon(idOrCode: string): Promise<Coupon | undefined>;
  listCoupons(): Promise<Coupon[]>;
  getSubscription(subscriptionId: string): Promise<Subscription | undefined>;
  listSubscriptions(query: SubscriptionQuery): Promise<Subscription[]>;
  /** How many subscriptions match `query` in all (paging ignored). */
  countSubscriptions(query: SubscriptionQuery): Promise<number>;
  /** Customers with two or more live (trialing, active, past due) subscriptions to the same product. */
  findDuplicateSubscriptions(filter: { customerId?: string; limit?: number }): Promise<DuplicateSubscriptions[]>;
  /**
   * Pairs of succeeded charges of one customer for the same amount and currency within `withinHours` of each
   * other (the later one in [from, until)), newest first: the evidence of a double charge.
   */
  findDoubleCharges(filter: {
    customerId?: string;
    from: Date;
    until: Date;
    withinHours: number;
    limit: number;
  }): Promise<{ first: Charge; second: Charge }[]>;
  getInvoice(invoiceId: string): Promise<Invoice | undefined>;
  /** The invoices of these ids that exist, in no particular order (one read, for lists). */
  getInvoices(invoiceIds: readonly string[]): Promise<Invoice[]>;
  getInvoiceByNumber(number: string): Promise<Invoice | undefined>;
  listInvoices(query: InvoiceQuery): Promise<Invoice[]>;
  /** How many invoices match `query` in all (paging ignored). */
  countInvoices(query: InvoiceQuery): Promise<number>;
  getCharge(chargeId: string): Promise<Charge | undefined>;
  listCharges(query: ChargeQuery): Promise<Charge[]>;
  /** How many charges match `query` in all (paging ignored). */
  countCharges(query: ChargeQuery): Promise<number>;
  listRefunds(filter: { chargeId?: string; customerId?: string }): Promise<Refund[]>;
  listCreditNotes(filter: { invoiceId?: string; customerId?: string }): Promise<CreditNote[]>;
  listBalanceTransactions(customerId: string): Promise<BalanceTransaction[]>;
  listUsage(filter: { subscriptionId: string; metric?: string; from?: Date; to?: Date }): Promise<UsageRecord[]>;
  previewPlanChange(input: ChangePlanInput): Promise<PlanChangePreview>;
  /**
   * The next renewal invoice of each of these subscriptions (the org's, read with this connector), in their
   * order; a subscription that will not renew (ended, canceling at period end, customer gone) is left out.
   */
  previewRenewals(subscriptions: readonly Subscription[]): Promise<UpcomingInvoice[]>;

  createCustomer(input: CreateCustomerInput, options: WriteOptions): Promise<Customer>;
  updateCustomer(input: UpdateCustomerInput, options: WriteOptions): Promise<Customer>;
  createProduct(input: CreateProductInput, options: WriteOptions): Promise<Product>;
  createPrice(input: CreatePriceInput, options: WriteOptions): Promise<Price>;
  createCoupon(input: CreateCouponInput, options: WriteOptions): Promise<Coupon>;
  createSubscription(input: CreateSubscriptionInput, options: WriteOptions): Promise<Subscription>;
  changePlan(
    input: ChangePlanInput,
    options: WriteOptions,
  ): Promise<{ subscription: Subscription; invoice: Invoice | null }>;
  cancelSubscription(input: CancelSubscriptionInput, options: WriteOptions): Promise<Subscription>;
  applyCoupon(input: { subscriptionId: string; couponId: string }, options: WriteOptions): Promise<Subscription>;
  removeCoupon(input: { subscriptionId: string }, options: WriteOptions): Promise<Subscription>;
  refundCharge(input: RefundChargeInput, options: WriteOptions): Promise<Refund>;
  creditCustomer(input: CreditCustomerInput, options: WriteOptions): Promise<BalanceTransaction>;
  createCreditNote(input: CreateCreditNoteInput, options: WriteOptions): Promise<CreditNote>;
  /** Attempts payment of an open invoice now (a retry); the ledger's payment simulation is deterministic. */
  payInvoice(input: { invoiceId: string }, options: WriteOptions): Promise<{ invoice: Invoice; charge: Charge | null }>;
  recordPayment(input: RecordPaymentInput, options: WriteOptions): Promise<{ invoice: Invoice; charge: Charge }>;
  voidInvoice(input: { invoiceId: string }, options: WriteOptions): Promise<Invoice>;
  createInvoice(input: CreateInvoiceInput, options: WriteOptions): Promise<Invoice>;
  finalizeInvoice(input: { invoiceId: string }, options: WriteOptions): Promise<Invoice>;
  sendInvoice(input: { invoiceId: string }, options: WriteOptions): Promise<Invoice>;
  recordUsage(input: RecordUsageInput, options: WriteOptions): Promise<UsageRecord>;
}
