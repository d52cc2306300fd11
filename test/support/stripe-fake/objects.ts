/**
 * Builders of the Stripe objects the fake keeps: a fixture copy with the modeled fields set and the misleading
 * example values (other objects' ids, amounts, nested example data) nulled. Builders do not store anything.
 */
import { fromTemplate, type StripeObject, stripeAddress } from './fixtures.ts';
import type { FakeState } from './state.ts';

const metadataOf = (value: unknown): Record<string, string> =>
  value && typeof value === 'object' ? { ...(value as Record<string, string>) } : {};

/** Applies Stripe's metadata update rules: keys set to '' are removed; `''` as a whole clears it. */
export function mergedMetadata(current: Record<string, string>, update: unknown): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update as Record<string, string>)) {
    if (value === '') delete next[key];
    else next[key] = String(value);
  }
  return next;
}

/** A customer. */
export function customerObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('customer', {
    id: p.id ?? state.newId('cus'),
    address: p.address ? stripeAddress(p.address) : null,
    balance: p.balance ?? 0,
    created: p.created ?? state.seconds(),
    currency: p.currency ?? null,
    description: p.description ?? null,
    discount: null,
    email: p.email ?? null,
    invoice_prefix: p.invoice_prefix ?? state.newId('x').slice(2, 10).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: p.invoice_settings?.default_payment_method ?? null,
      footer: null,
      rendering_options: null,
    },
    metadata: metadataOf(p.metadata),
    name: p.name ?? null,
    next_invoice_sequence: 1,
    phone: p.phone ?? null,
    shipping: null,
  });
}

/** A card payment method. */
export function paymentMethodObject(state: FakeState, p: StripeObject): StripeObject {
  const template = fromTemplate('payment_method', {});
  return fromTemplate('payment_method', {
    id: p.id ?? state.newId('pm'),
    billing_details: { address: stripeAddress(null), email: null, name: null, phone: null, tax_id: null },
    card: {
      ...template.card,
      brand: p.brand ?? 'visa',
      display_brand: p.brand ?? 'visa',
      country: p.country ?? 'US',
      exp_month: p.exp_month ?? 12,
      exp_year: p.exp_year ?? 2030,
      last4: p.last4 ?? '4242',
      networks: { available: [p.brand ?? 'visa'], preferred: null },
      wallet: null,
      generated_from: null,
    },
    created: p.created ?? state.seconds(),
    customer: p.customer ?? null,
    metadata: metadataOf(p.metadata),
  });
}

/** A product. */
export function productObject(state: FakeState, p: StripeObject): StripeObject {
  const created = p.created ?? state.seconds();
  return fromTemplate('product', {
    id: p.id ?? state.newId('prod'),
    active: p.active ?? true,
    created,
    default_price: null,
    description: p.description ?? null,
    images: [],
    marketing_features: [],
    metadata: metadataOf(p.metadata),
    name: p.name,
    package_dimensions: null,
    shippable: null,
    type: 'service',
    updated: created,
  });
}

/** A price; `tiers` are kept on the stored object and only answered when expanded. */
export function priceObject(state: FakeState, p: StripeObject): StripeObject {
  const recurring = p.recurring
    ? {
        interval: p.recurring.interval,
        interval_count: p.recurring.interval_count ?? 1,
        meter: null,
        trial_period_days: p.recurring.trial_period_days ?? null,
        usage_type: p.recurring.usage_type ?? 'licensed',
      }
    : null;
  const scheme = p.billing_scheme ?? 'per_unit';
  const unitAmount = scheme === 'tiered' ? null : (p.unit_amount ?? 0);
  return fromTemplate('price', {
    id: p.id ?? state.newId('price'),
    active: p.active ?? true,
    billing_scheme: scheme,
    created: p.created ?? state.seconds(),
    currency: p.currency,
    custom_unit_amount: null,
    metadata: metadataOf(p.metadata),
    nickname: p.nickname ?? null,
    product: p.product,
    recurring,
    tiers_mode: scheme === 'tiered' ? (p.tiers_mode ?? 'graduated') : null,
    tiers:
      scheme === 'tiered'
        ? (p.tiers ?? []).map((tier: StripeObject) => ({
            flat_amount: tier.flat_amount ?? null,
            flat_amount_decimal: tier.flat_amount === undefined ? null : String(tier.flat_amount),
            unit_amount: tier.unit_amount ?? null,
            unit_amount_decimal: tier.unit_amount === undefined ? null : String(tier.unit_amount),
            up_to: tier.up_to === 'inf' || tier.up_to === undefined || tier.up_to === null ? null : Number(tier.up_to),
          }))
        : undefined,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: unitAmount === null ? null : String(unitAmount),
  });
}

/** A coupon. */
export function couponObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('coupon', {
    id: p.id ?? state.newId('x').slice(2, 10).toUpperCase(),
    amount_off: p.amount_off ?? null,
    created: p.created ?? state.seconds(),
    currency: p.amount_off !== undefined && p.amount_off !== null ? (p.currency ?? null) : null,
    duration: p.duration ?? 'once',
    duration_in_months: p.duration === 'repeating' ? (p.duration_in_months ?? null) : null,
    max_redemptions: p.max_redemptions ?? null,
    metadata: metadataOf(p.metadata),
    name: p.name ?? null,
    percent_off: p.percent_off ?? null,
    redeem_by: null,
    times_redeemed: p.times_redeemed ?? 0,
    valid: p.valid ?? true,
  });
}

/** A discount from a coupon on a subscription. */
export function discountObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('discount', {
    id: p.id ?? state.newId('di'),
    customer: p.customer ?? null,
    end: p.end ?? null,
    source: { coupon: p.coupon, type: 'coupon' },
    start: p.start ?? state.seconds(),
    subscription: p.subscription ?? null,
  });
}

/** The legacy `plan` view of a price that subscription items still carry. */
export function planOf(price: StripeObject): StripeObject {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? null,
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: price.tiers_mode,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
  };
}

/** A subscription item; its period lives on the item (newer API). */
export function subscriptionItemObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('subscription_item', {
    id: p.id ?? state.newId('si'),
    billing_thresholds: null,
    created: p.created ?? state.seconds(),
    current_period_end: p.current_period_end,
    current_period_start: p.current_period_start,
    discounts: [],
    metadata: {},
    plan: planOf(p.price),
    price: structuredClone(p.price),
    quantity: p.quantity ?? 1,
    subscription: p.subscription,
    tax_rates: [],
  });
}

/** A subscription (items built by the caller). */
export function subscriptionObject(state: FakeState, p: StripeObject): StripeObject {
  const id = p.id ?? state.newId('sub');
  const created = p.created ?? state.seconds();
  return fromTemplate('subscription', {
    id,
    billing_cycle_anchor: p.billing_cycle_anchor ?? created,
    billing_cycle_anchor_config: null,
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: p.cancel_at ?? null,
    cancel_at_period_end: p.cancel_at_period_end ?? false,
    canceled_at: p.canceled_at ?? null,
    cancellation_details: { comment: p.cancellation_comment ?? null, feedback: null, reason: null },
    created,
    currency: p.currency,
    customer: p.customer,
    days_until_due: null,
    default_payment_method: null,
    discounts: p.discounts ?? [],
    ended_at: p.ended_at ?? null,
    items: {
      object: 'list',
      data: p.items ?? [],
      has_more: false,
      total_count: (p.items ?? []).length,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: p.latest_invoice ?? null,
    managed_payments: null,
    metadata: metadataOf(p.metadata),
    next_pending_invoice_item_invoice: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_update: null,
    start_date: p.start_date ?? created,
    status: p.status ?? 'active',
    transfer_data: null,
    trial_end: p.trial_end ?? null,
    trial_start: p.trial_start ?? null,
  });
}
