/**
 * Stripe objects → Leash's records, for the mirror: customers and the catalogue here, with the field helpers
 * stripe-billing-objects.ts uses for subscriptions, invoices and payments. Both the API version the SDK pins
 * (invoices point to their subscription under `parent`, lines to their price under `pricing`, periods live on
 * subscription items) and the older shapes a webhook endpoint pinned to an earlier version sends are read.
 *
 * What Stripe has no field for travels in metadata, written by Leash and readable by anyone:
 * `leash_tax_rate_bps`, `leash_currency` (customer); `leash_limits` (JSON), `leash_overage`, `leash_legacy`
 * (product); `leash_scheme` = `flat`, `leash_usage_metric`, `leash_free_allowance`, `leash_trial_days` (price);
 * `leash_code`, `leash_countries` (coupon); `leash_sent_at` (invoice, seconds); `leash_reason` (refund). Without
 * them a plan has no limits, a coupon's code is its id, and so on.
 */
import type { Address, Coupon, Customer, PaymentMethod, Price, PriceTier, Product } from '../../domain/billing.ts';
import { type Currency, isCurrency } from '../../domain/money.ts';

/** A Stripe object as it arrives on the wire (JSON). */
export type StripeObject = { id: string; object: string } & Record<string, unknown>;

/** The object types the mirror keeps, by Stripe's `object` name. */
export const MIRRORED_OBJECTS = [
  'customer',
  'product',
  'price',
  'coupon',
  'subscription',
  'invoice',
  'charge',
  'refund',
  'credit_note',
  'customer_balance_transaction',
] as const;
/** A mirrored object type. */
export type MirroredObject = (typeof MIRRORED_OBJECTS)[number];

const CARD_BRANDS: readonly PaymentMethod['brand'][] = ['visa', 'mastercard', 'amex', 'rupay', 'elo', 'discover'];

/** An object field as a record (anything else: empty). */
export function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
/** A string field, or null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
/** A finite number field, or `fallback`. */
export function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
/** A Stripe timestamp (seconds) as a Date, or null. */
export function instant(seconds: unknown): Date | null {
  return typeof seconds === 'number' ? new Date(seconds * 1000) : null;
}
/** An object's `created` as a Date. */
export function created(object: Record<string, unknown>): Date {
  return instant(object.created) ?? new Date(0);
}
/** An id, whether the field holds it or an expanded object. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return text(record(value).id);
}
/** The items of a list field (a Stripe list object or an array). */
export function list(value: unknown): Record<string, unknown>[] {
  const data = Array.isArray(value) ? value : record(value).data;
  return Array.isArray(data) ? data.map(record) : [];
}
/** A Stripe currency as Leash's (lower-case ISO code), or `fallback`. */
export function currencyOf(value: unknown, fallback: Currency = 'usd'): Currency {
  const code = typeof value === 'string' ? value.toLowerCase() : '';
  return isCurrency(code) ? code : fallback;
}
/** An object's string metadata. */
export function metadata(object: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(object.metadata))) if (typeof value === 'string') out[key] = value;
  return out;
}
/** Metadata without Leash's own keys (those are shown as fields). */
function userMetadata(object: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata(object)).filter(([key]) => !key.startsWith('leash_')));
}

function addressOf(value: unknown): Address {
  const address = record(value);
  const out: Address = {};
  const put = (key: keyof Address, from: string) => {
    const field = text(address[from]);
    if (field) out[key] = field;
  };
  put('line1', 'line1');
  put('line2', 'line2');
  put('city', 'city');
  put('postalCode', 'postal_code');
  put('state', 'state');
  put('country', 'country');
  return out;
}

function paymentMethodOf(value: unknown): PaymentMethod | null {
  const card = record(record(value).card);
  const brand = text(card.brand) as PaymentMethod['brand'] | null;
  if (!brand || !CARD_BRANDS.includes(brand)) return null;
  return {
    brand,
    last4: text(card.last4) ?? '0000',
    expMonth: num(card.exp_month, 1),
    expYear: num(card.exp_year, 2000),
    country: text(card.country) ?? '',
  };
}

/** A Stripe customer (deleted ones arrive as `{ id, deleted: true }`; the caller keeps what it had). */
export function customerOf(object: StripeObject, orgId: string): Customer {
  const address = addressOf(object.address);
  const meta = metadata(object);
  return {
    id: object.id,
    orgId,
    name: text(object.name) ?? text(object.email) ?? object.id,
    email: text(object.email) ?? '',
    country: address.country ?? '',
    address,
    metadata: userMetadata(object),
    // Stripe sets a customer's currency at its first invoice; until then Leash's choice is in metadata.
    currency: currencyOf(object.currency ?? meta.leash_currency),
    balance: num(object.balance),
    paymentMethod: paymentMethodOf(record(object.invoice_settings).default_payment_method),
    taxRateBps: Number.parseInt(meta.leash_tax_rate_bps ?? '0', 10) || 0,
    createdAt: created(object),
    deletedAt: object.deleted === true ? new Date() : null,
  };
}

function limitsOf(raw: string | undefined): Product['limits'] {
  if (!raw) return {};
  try {
    const parsed = record(JSON.parse(raw));
    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, typeof value === 'number' ? value : null]),
    );
  } catch {
    return {};
  }
}

/** A Stripe product: a plan or an add-on. */
export function productOf(object: StripeObject, orgId: string): Product {
  const meta = metadata(object);
  return {
    id: object.id,
    orgId,
    name: text(object.name) ?? object.id,
    description: text(object.description) ?? '',
    limits: limitsOf(meta.leash_limits),
    overage: meta.leash_overage ?? '',
    legacy: meta.leash_legacy === 'true',
    active: object.active !== false && object.deleted !== true,
    createdAt: created(object),
  };
}

function tiersOf(value: unknown): PriceTier[] {
  return list(value).map((tier) => ({
    upTo: typeof tier.up_to === 'number' ? tier.up_to : null,
    unitAmount: num(tier.unit_amount),
    flatAmount: num(tier.flat_amount),
  }));
}

/** A Stripe price. */
export function priceOf(object: StripeObject, orgId: string): Price {
  const meta = metadata(object);
  const recurring = object.recurring ? record(object.recurring) : null;
  const interval = text(recurring?.interval);
  const metered = recurring?.usage_type === 'metered';
  return {
    id: object.id,
    orgId,
    productId: idOf(object.product) ?? '',
    nickname: text(object.nickname) ?? '',
    currency: currencyOf(object.currency),
    interval: interval === 'month' || interval === 'year' ? interval : null,
    scheme: object.billing_scheme === 'tiered' ? 'tiered' : meta.leash_scheme === 'flat' ? 'flat' : 'per_unit',
    unitAmount: num(object.unit_amount),
    tiers: tiersOf(object.tiers),
    usageMetric: metered ? (meta.leash_usage_metric ?? idOf(recurring?.meter) ?? 'usage') : null,
    freeAllowance: Number.parseInt(meta.leash_free_allowance ?? '0', 10) || 0,
    trialDays: num(recurring?.trial_period_days) || Number.parseInt(meta.leash_trial_days ?? '0', 10) || 0,
    active: object.active !== false && object.deleted !== true,
    createdAt: created(object),
  };
}

/** A Stripe coupon. */
export function couponOf(object: StripeObject, orgId: string): Coupon {
  const meta = metadata(object);
  const percent = typeof object.percent_off === 'number' ? object.percent_off : null;
  return {
    id: object.id,
    orgId,
    code: meta.leash_code ?? object.id,
    name: text(object.name) ?? object.id,
    percentOffBps: percent === null ? null : Math.round(percent * 100),
    amountOff: percent === null ? num(object.amount_off) : null,
    currency: object.currency ? currencyOf(object.currency) : null,
    duration: object.duration === 'once' || object.duration === 'repeating' ? object.duration : 'forever',
    durationInMonths: typeof object.duration_in_months === 'number' ? object.duration_in_months : null,
    countries: (meta.leash_countries ?? '')
      .split(',')
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    maxRedemptions: typeof object.max_redemptions === 'number' ? object.max_redemptions : null,
    timesRedeemed: num(object.times_redeemed),
    valid: object.valid !== false && object.deleted !== true,
    createdAt: created(object),
  };
}
