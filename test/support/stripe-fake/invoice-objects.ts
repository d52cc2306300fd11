/** Builders of invoices, their lines and pending invoice items. Builders do not store anything. */
import { fromTemplate, type StripeObject, stripeAddress } from './fixtures.ts';
import type { FakeState } from './state.ts';

/** A draft invoice (lines and totals are filled by billing.ts). */
export function invoiceObject(state: FakeState, customer: StripeObject, p: StripeObject): StripeObject {
  const id = p.id ?? state.newId('in');
  const created = p.created ?? state.seconds();
  return fromTemplate('invoice', {
    id,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    attempt_count: 0,
    attempted: false,
    auto_advance: p.auto_advance ?? false,
    automatically_finalizes_at: null,
    billing_reason: p.billing_reason ?? 'manual',
    collection_method: p.collection_method ?? 'charge_automatically',
    created,
    currency: p.currency ?? customer.currency ?? 'usd',
    customer: customer.id,
    customer_address: stripeAddress(customer.address),
    customer_email: customer.email,
    customer_name: customer.name,
    days_until_due: p.days_until_due ?? null,
    description: p.description ?? null,
    discounts: p.discounts ?? [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    from_invoice: null,
    last_finalization_error: null,
    lines: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` },
    metadata: { ...(p.metadata ?? {}) },
    next_payment_attempt: null,
    number: null,
    parent: p.subscription
      ? {
          quote_details: null,
          subscription_details: { metadata: {}, subscription: p.subscription },
          type: 'subscription_details',
        }
      : null,
    payments: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/invoice_payments?invoice=${id}` },
    period_end: p.period_end ?? created,
    period_start: p.period_start ?? created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: p.subscription ?? null,
    subtotal: 0,
    subtotal_excluding_tax: 0,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  });
}

/** An invoice line: from a subscription item (`subscription_item` given) or from an invoice item. */
export function lineObject(state: FakeState, p: StripeObject): StripeObject {
  const proration = p.proration ?? false;
  const parent = p.subscription_item
    ? {
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: p.invoice_item ?? null,
          proration,
          proration_details: { credited_items: null },
          subscription: p.subscription,
          subscription_item: p.subscription_item,
        },
        type: 'subscription_item_details',
      }
    : {
        invoice_item_details: {
          invoice_item: p.invoice_item ?? null,
          proration,
          proration_details: { credited_items: null },
          subscription: p.subscription ?? null,
        },
        subscription_item_details: null,
        type: 'invoice_item_details',
      };
  return fromTemplate('line_item', {
    id: p.id ?? state.newId('il'),
    amount: p.amount,
    currency: p.currency,
    description: p.description ?? null,
    discount_amounts: [],
    discounts: [],
    invoice: p.invoice ?? null,
    metadata: {},
    parent,
    period: { end: p.period_end, start: p.period_start },
    pretax_credit_amounts: [],
    pricing: {
      price_details: p.price ? { price: p.price, product: p.product ?? null } : null,
      type: 'price_details',
      unit_amount_decimal: p.unit_amount_decimal ?? (p.quantity ? String(Math.round(p.amount / p.quantity)) : null),
    },
    quantity: p.quantity ?? 1,
    quantity_decimal: String(p.quantity ?? 1),
    subscription: p.subscription ?? null,
    subtotal: p.amount,
    taxes: [],
  });
}

/** A pending invoice item (a proration waiting for the next invoice, or a manual line). */
export function invoiceItemObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('invoiceitem', {
    id: p.id ?? state.newId('ii'),
    amount: p.amount,
    currency: p.currency,
    customer: p.customer,
    date: state.seconds(),
    description: p.description ?? null,
    discounts: [],
    invoice: p.invoice ?? null,
    metadata: { ...(p.metadata ?? {}) },
    net_amount: p.amount,
    parent: p.subscription
      ? { subscription_details: { subscription: p.subscription }, type: 'subscription_details' }
      : null,
    period: { end: p.period_end ?? state.seconds(), start: p.period_start ?? state.seconds() },
    pricing: {
      price_details: p.price ? { price: p.price, product: p.product ?? null } : null,
      type: 'price_details',
      unit_amount_decimal: p.unit_amount_decimal ?? null,
    },
    proration: p.proration ?? false,
    quantity: p.quantity ?? 1,
    quantity_decimal: String(p.quantity ?? 1),
    tax_rates: [],
    // Fake-only: the subscription item a proration belongs to (Stripe keeps it in its parent details).
    subscription_item: p.subscription_item ?? null,
  });
}
