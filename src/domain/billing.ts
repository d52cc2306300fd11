/**
 * The billing records Leash reads and changes, as plain types. Every amount is in minor units of the
 * record's `currency`; every record belongs to one org.
 */
import type { Currency } from './money.ts';

/** A postal address. */
export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  postalCode?: string;
  state?: string;
  country?: string;
}

/** The card a customer pays with (the ledger's payment simulation reads it). */
export interface PaymentMethod {
  brand: 'visa' | 'mastercard' | 'amex' | 'rupay' | 'elo' | 'discover';
  last4: string;
  expMonth: number;
  expYear: number;
  country: string;
}

/** A paying company or person. `balance` is customer credit: negative means money Leash owes them. */
export interface Customer {
  id: string;
  orgId: string;
  name: string;
  email: string;
  country: string;
  address: Address;
  metadata: Record<string, string>;
  currency: Currency;
  balance: number;
  paymentMethod: PaymentMethod | null;
  taxRateBps: number;
  createdAt: Date;
  deletedAt: Date | null;
}

/** What a plan allows: seats, API calls, projects… `null` means unlimited. */
export type PlanLimits = Record<string, number | null>;

/** A product: a plan with limits, or an add-on. */
export interface Product {
  id: string;
  orgId: string;
  name: string;
  description: string;
  limits: PlanLimits;
  /** What happens past a limit, in words the plan explainer shows ("API calls over the limit bill at $0.002 each"). */
  overage: string;
  legacy: boolean;
  active: boolean;
  createdAt: Date;
}

/** A usage tier: units up to `upTo` (null: no upper bound) cost `unitAmount` each plus `flatAmount` once. */
export interface PriceTier {
  upTo: number | null;
  unitAmount: number;
  flatAmount: number;
}

/** How a price is billed. */
export type BillingScheme = 'flat' | 'per_unit' | 'tiered';
/** The billing interval of a recurring price; `null` is one-off. */
export type PriceInterval = 'month' | 'year';

/** A price of a product in one currency. */
export interface Price {
  id: string;
  orgId: string;
  productId: string;
  nickname: string;
  currency: Currency;
  interval: PriceInterval | null;
  scheme: BillingScheme;
  /** Flat amount per period, or amount per unit for per_unit. */
  unitAmount: number;
  tiers: PriceTier[];
  /** The usage metric a metered price bills (`api_calls`); null for licensed prices. */
  usageMetric: string | null;
  /** Units included each period before tiers apply. */
  freeAllowance: number;
  trialDays: number;
  active: boolean;
  createdAt: Date;
}

/** Subscription states, as Stripe names them. */
export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'canceled', 'unpaid'] as const;
/** A subscription state. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** The states of a subscription that still bills: renewals, trial ends and dunning happen only in these. */
export const LIVE_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['trialing', 'active', 'past_due'];

/** A line of a subscription: a price times a quantity. */
export interface SubscriptionItem {
  id: string;
  subscriptionId: string;
  priceId: string;
  quantity: number;
}

/** A customer's subscription. */
export interface Subscription {
  id: string;
  orgId: string;
  customerId: string;
  status: SubscriptionStatus;
  currency: Currency;
  items: SubscriptionItem[];
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  /** The instant periods are counted from: renewals keep its day of month (clamped). */
  billingAnchor: Date;
  trialEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
  cancellationReason: string | null;
  couponId: string | null;
  discountEnd: Date | null;
  createdAt: Date;
}

/** Invoice states, as Stripe names them. */
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

/** Why an invoice was made. */
export type BillingReason = 'subscription_create' | 'subscription_cycle' | 'subscription_update' | 'manual';

/** One line of an invoice. Proration lines carry `proration: true`; credits are negative. */
export interface InvoiceLine {
  id: string;
  invoiceId: string;
  description: string;
  amount: number;
  quantity: number;
  priceId: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  proration: boolean;
}

/** An invoice: lines, totals and what is still owed. total = subtotal − discount + tax. */
export interface Invoice {
  id: string;
  orgId: string;
  number: string;
  customerId: string;
  subscriptionId: string | null;
  status: InvoiceStatus;
  billingReason: BillingReason;
  currency: Currency;
  lines: InvoiceLine[];
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  /** Customer credit balance applied to this invoice. */
  creditApplied: number;
  amountPaid: number;
  amountDue: number;
  amountRemaining: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  dueDate: Date | null;
  createdAt: Date;
  finalizedAt: Date | null;
  paidAt: Date | null;
  voidedAt: Date | null;
  sentAt: Date | null;
  attemptCount: number;
  nextPaymentAttempt: Date | null;
  memo: string;
}

/** Why a card payment failed. */
export type FailureCode = 'expired_card' | 'insufficient_funds' | 'card_declined' | 'fraudulent' | 'processing_error';

/** A payment attempt. */
export interface Charge {
  id: string;
  orgId: string;
  customerId: string;
  invoiceId: string | null;
  amount: number;
  currency: Currency;
  status: 'succeeded' | 'failed';
  failureCode: FailureCode | null;
  failureMessage: string | null;
  cardBrand: string | null;
  cardCountry: string | null;
  amountRefunded: number;
  /** `card` for simulated card payments, `external` for payments recorded from outside (bank transfer…). */
  method: 'card' | 'external';
  createdAt: Date;
}

/** A payment received outside the card network (a bank transfer, a cheque), as a charge on `invoice`. */
export function externalPayment(
  invoice: Pick<Invoice, 'id' | 'orgId' | 'customerId' | 'currency'>,
  payment: { id: string; amount: number; at: Date },
): Charge {
  return {
    id: payment.id,
    orgId: invoice.orgId,
    customerId: invoice.customerId,
    invoiceId: invoice.id,
    amount: payment.amount,
    currency: invoice.currency,
    status: 'succeeded',
    failureCode: null,
    failureMessage: null,
    cardBrand: null,
    cardCountry: null,
    amountRefunded: 0,
    method: 'external',
    createdAt: payment.at,
  };
}

/** Money returned against a charge. */
export interface Refund {
  id: string;
  orgId: string;
  chargeId: string;
  amount: number;
  currency: Currency;
  reason: string;
  createdAt: Date;
}

/** A credit note reducing what an invoice asks for (or crediting the customer's balance). */
export interface CreditNote {
  id: string;
  orgId: string;
  invoiceId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  reason: string;
  createdAt: Date;
}

/** A change to a customer's credit balance (negative = credit given to the customer). */
export interface BalanceTransaction {
  id: string;
  orgId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  description: string;
  invoiceId: string | null;
  createdAt: Date;
}

/** How long a coupon's discount lasts on a subscription. */
export type CouponDuration = 'once' | 'repeating' | 'forever';

/** A discount that can be applied to subscriptions: a percentage or a fixed amount off. */
export interface Coupon {
  id: string;
  orgId: string;
  code: string;
  name: string;
  percentOffBps: number | null;
  amountOff: number | null;
  currency: Currency | null;
  duration: CouponDuration;
  durationInMonths: number | null;
  /** ISO country codes the coupon is restricted to (regional discounts); empty = anywhere. */
  countries: string[];
  maxRedemptions: number | null;
  timesRedeemed: number;
  valid: boolean;
  createdAt: Date;
}

/** A usage event counted against a metric. */
export interface UsageRecord {
  id: string;
  orgId: string;
  subscriptionId: string;
  metric: string;
  quantity: number;
  timestamp: Date;
}

/** A renewal invoice before it exists: its lines (discount and tax included, so they sum to `total`) and totals. */
export interface RenewalPreview {
  /** When the renewal bills: the end of the current period. */
  date: Date;
  currency: Currency;
  lines: { description: string; amount: number }[];
  subtotal: number;
  discount: number;
  tax: number;
  /** subtotal − discount + tax, before any customer credit balance is applied. */
  total: number;
}
