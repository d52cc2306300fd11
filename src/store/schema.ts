/**
 * The database as Kysely sees it (camelCase in TypeScript, snake_case in SQL via CamelCasePlugin).
 * jsonb columns take JSON text on insert/update (see `json()` in ./json.ts) and come back parsed.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Address, PaymentMethod, PlanLimits, PriceTier } from '../domain/billing.ts';
import type { AgentChannelTables } from './agent-channel.schema.ts';
import type { AuditTables } from './audit.schema.ts';
import type { BroadcastTables } from './broadcast.schema.ts';
import type { GateTables } from './gate.schema.ts';
import type { ModeTables } from './modes.schema.ts';
import type { PipelineTables } from './pipeline.schema.ts';
import type { WebhookTables } from './webhooks.schema.ts';
import type { AuthTables, BulkTables, ConversationTables, IntegrationTables, TicketTables } from './work.schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** orgs */
export interface OrgsTable {
  id: string;
  name: string;
  policyProfile: Generated<string>;
  createdAt: Generated<Date>;
  /** Which billing system the org's operations use: the embedded ledger, or its Stripe account's mirror. */
  billing: Generated<'ledger' | 'stripe'>;
}

/** members: people of an org with one role and any approver groups. */
export interface MembersTable {
  id: string;
  orgId: string;
  email: string;
  name: Generated<string>;
  role: string;
  groups: JSONColumnType<string[]>;
  createdAt: Generated<Date>;
  disabledAt: NullableTimestamp;
  /** The member's IANA time zone; null: the org's, else UTC (migration 0025). */
  timeZone: string | null;
}

/** ledger_clocks: the simulated "now" of each org's ledger. */
export interface LedgerClocksTable {
  orgId: string;
  now: Timestamp;
}

/** ledger_sequences: per-org counters (invoice numbers). */
export interface LedgerSequencesTable {
  orgId: string;
  name: string;
  value: number;
}

/** ledger_idempotency: the ledger's answer to each idempotency key, like Stripe's. */
export interface LedgerIdempotencyTable {
  orgId: string;
  key: string;
  operation: string;
  requestHash: string;
  response: JSONColumnType<Record<string, unknown>>;
  createdAt: Generated<Date>;
}

/** customers */
export interface CustomersTable {
  id: string;
  orgId: string;
  name: string;
  email: string;
  country: string;
  address: JSONColumnType<Address>;
  metadata: JSONColumnType<Record<string, string>>;
  currency: string;
  balance: Generated<number>;
  paymentMethod: JSONColumnType<PaymentMethod | null, string | null, string | null>;
  taxRateBps: Generated<number>;
  createdAt: Timestamp;
  deletedAt: NullableTimestamp;
}

/** products (plans and add-ons) */
export interface ProductsTable {
  id: string;
  orgId: string;
  name: string;
  description: Generated<string>;
  limits: JSONColumnType<PlanLimits>;
  overage: Generated<string>;
  legacy: Generated<boolean>;
  active: Generated<boolean>;
  createdAt: Timestamp;
}

/** prices */
export interface PricesTable {
  id: string;
  orgId: string;
  productId: string;
  nickname: Generated<string>;
  currency: string;
  interval: string | null;
  scheme: string;
  unitAmount: Generated<number>;
  tiers: JSONColumnType<PriceTier[]>;
  usageMetric: string | null;
  freeAllowance: Generated<number>;
  trialDays: Generated<number>;
  active: Generated<boolean>;
  createdAt: Timestamp;
}

/** coupons */
export interface CouponsTable {
  id: string;
  orgId: string;
  code: string;
  name: string;
  percentOffBps: number | null;
  amountOff: number | null;
  currency: string | null;
  duration: string;
  durationInMonths: number | null;
  countries: JSONColumnType<string[]>;
  maxRedemptions: number | null;
  timesRedeemed: Generated<number>;
  valid: Generated<boolean>;
  createdAt: Timestamp;
}

/** subscriptions */
export interface SubscriptionsTable {
  id: string;
  orgId: string;
  customerId: string;
  status: string;
  currency: string;
  currentPeriodStart: Timestamp;
  currentPeriodEnd: Timestamp;
  billingAnchor: Timestamp;
  trialEnd: NullableTimestamp;
  cancelAtPeriodEnd: Generated<boolean>;
  canceledAt: NullableTimestamp;
  endedAt: NullableTimestamp;
  cancellationReason: string | null;
  couponId: string | null;
  discountEnd: NullableTimestamp;
  createdAt: Timestamp;
}

/** subscription_items */
export interface SubscriptionItemsTable {
  id: string;
  orgId: string;
  subscriptionId: string;
  priceId: string;
  quantity: Generated<number>;
  position: Generated<number>;
}

/** invoices */
export interface InvoicesTable {
  id: string;
  orgId: string;
  number: string;
  customerId: string;
  subscriptionId: string | null;
  status: string;
  billingReason: string;
  currency: string;
  subtotal: number;
  discount: Generated<number>;
  tax: Generated<number>;
  total: number;
  creditApplied: Generated<number>;
  amountPaid: Generated<number>;
  amountDue: number;
  amountRemaining: number;
  periodStart: NullableTimestamp;
  periodEnd: NullableTimestamp;
  dueDate: NullableTimestamp;
  createdAt: Timestamp;
  finalizedAt: NullableTimestamp;
  paidAt: NullableTimestamp;
  voidedAt: NullableTimestamp;
  sentAt: NullableTimestamp;
  attemptCount: Generated<number>;
  nextPaymentAttempt: NullableTimestamp;
  memo: Generated<string>;
}

/** invoice_lines */
export interface InvoiceLinesTable {
  id: string;
  orgId: string;
  invoiceId: string;
  position: number;
  description: string;
  amount: number;
  quantity: Generated<number>;
  priceId: string | null;
  periodStart: NullableTimestamp;
  periodEnd: NullableTimestamp;
  proration: Generated<boolean>;
}

/** charges */
export interface ChargesTable {
  id: string;
  orgId: string;
  customerId: string;
  invoiceId: string | null;
  amount: number;
  currency: string;
  status: string;
  failureCode: string | null;
  failureMessage: string | null;
  cardBrand: string | null;
  cardCountry: string | null;
  amountRefunded: Generated<number>;
  method: Generated<string>;
  createdAt: Timestamp;
}

/** refunds */
export interface RefundsTable {
  id: string;
  orgId: string;
  chargeId: string;
  amount: number;
  currency: string;
  reason: Generated<string>;
  createdAt: Timestamp;
}

/** credit_notes */
export interface CreditNotesTable {
  id: string;
  orgId: string;
  invoiceId: string;
  customerId: string;
  amount: number;
  currency: string;
  reason: Generated<string>;
  createdAt: Timestamp;
}

/** balance_transactions */
export interface BalanceTransactionsTable {
  id: string;
  orgId: string;
  customerId: string;
  amount: number;
  currency: string;
  description: string;
  invoiceId: string | null;
  createdAt: Timestamp;
}

/** usage_records */
export interface UsageRecordsTable {
  id: string;
  orgId: string;
  subscriptionId: string;
  metric: string;
  quantity: number;
  timestamp: Timestamp;
}

/** The core and ledger tables. */
export interface BillingTables {
  orgs: OrgsTable;
  members: MembersTable;
  ledgerClocks: LedgerClocksTable;
  ledgerSequences: LedgerSequencesTable;
  ledgerIdempotency: LedgerIdempotencyTable;
  customers: CustomersTable;
  products: ProductsTable;
  prices: PricesTable;
  coupons: CouponsTable;
  subscriptions: SubscriptionsTable;
  subscriptionItems: SubscriptionItemsTable;
  invoices: InvoicesTable;
  invoiceLines: InvoiceLinesTable;
  charges: ChargesTable;
  refunds: RefundsTable;
  creditNotes: CreditNotesTable;
  balanceTransactions: BalanceTransactionsTable;
  usageRecords: UsageRecordsTable;
}

/**
 * Every table Leash keeps. A module that adds tables declares an interface of them in its own
 * `*.schema.ts` file and adds it to this `extends` list.
 */
export interface Database
  extends BillingTables,
    PipelineTables,
    AuditTables,
    TicketTables,
    BulkTables,
    AuthTables,
    ConversationTables,
    IntegrationTables,
    AgentChannelTables,
    GateTables,
    ModeTables,
    WebhookTables,
    BroadcastTables {}
