/**
 * Builders of the money objects: invoices and their lines, payment intents, charges, invoice payments, refunds,
 * credit notes and customer balance transactions. Builders do not store anything.
 */
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

/** A payment intent for an invoice's amount. */
export function paymentIntentObject(state: FakeState, p: StripeObject): StripeObject {
  const id = p.id ?? state.newId('pi');
  return fromTemplate('payment_intent', {
    id,
    amount: p.amount,
    amount_capturable: 0,
    amount_details: null,
    amount_received: p.status === 'succeeded' ? p.amount : 0,
    automatic_payment_methods: null,
    canceled_at: null,
    client_secret: `${id}_secret_${state.newId('s').slice(2)}`,
    created: p.created ?? state.seconds(),
    currency: p.currency,
    customer: p.customer,
    description: p.description ?? null,
    last_payment_error: p.last_payment_error ?? null,
    latest_charge: p.latest_charge ?? null,
    managed_payments: null,
    metadata: {},
    next_action: null,
    payment_method: p.payment_method ?? null,
    payment_method_configuration_details: null,
    processing: null,
    status: p.status,
    transfer_data: null,
  });
}

/** A card charge. */
export function chargeObject(state: FakeState, p: StripeObject): StripeObject {
  const id = p.id ?? state.newId('ch');
  const succeeded = p.status === 'succeeded';
  const template = fromTemplate('charge', {});
  const card = p.card ?? {};
  return fromTemplate('charge', {
    id,
    amount: p.amount,
    amount_captured: succeeded ? p.amount : 0,
    amount_refunded: p.amount_refunded ?? 0,
    balance_transaction: null,
    billing_details: { ...template.billing_details, address: stripeAddress(null), name: p.name ?? null },
    captured: succeeded,
    created: p.created ?? state.seconds(),
    currency: p.currency,
    customer: p.customer ?? null,
    description: p.description ?? null,
    failure_code: p.failure_code ?? null,
    failure_message: p.failure_message ?? null,
    metadata: {},
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: succeeded ? 'approved_by_network' : 'declined_by_network',
      reason: succeeded ? null : 'generic_decline',
      risk_level: 'normal',
      seller_message: succeeded
        ? 'Payment complete.'
        : 'The bank did not return any further details with this decline.',
      type: succeeded ? 'authorized' : 'issuer_declined',
    },
    paid: succeeded,
    payment_intent: p.payment_intent ?? null,
    payment_method: p.payment_method ?? null,
    // A payment made outside Stripe's card rails (a bank transfer Leash recorded): not a card.
    payment_method_details: p.external
      ? { customer_balance: {}, type: 'customer_balance' }
      : {
          card: {
            ...template.payment_method_details.card,
            brand: card.brand ?? null,
            country: card.country ?? null,
            exp_month: card.exp_month ?? null,
            exp_year: card.exp_year ?? null,
            last4: card.last4 ?? null,
            network: card.brand ?? null,
            wallet: null,
          },
          type: 'card',
        },
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${id}/refunds` },
    source: null,
    status: p.status,
    transfer_data: null,
  });
}

/** An `invoice_payment`: an invoice paid (or attempted) by a payment intent. */
export function invoicePaymentObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('invoice_payment', {
    id: state.newId('inpay'),
    amount_paid: p.status === 'paid' ? p.amount : null,
    amount_requested: p.amount,
    created: state.seconds(),
    currency: p.currency,
    invoice: p.invoice,
    is_default: true,
    livemode: false,
    payment: { payment_intent: p.payment_intent, type: 'payment_intent' },
    status: p.status,
    status_transitions: { canceled_at: null, paid_at: p.status === 'paid' ? state.seconds() : null },
  });
}

/** A refund. */
export function refundObject(state: FakeState, charge: StripeObject, p: StripeObject): StripeObject {
  return fromTemplate('refund', {
    id: p.id ?? state.newId('re'),
    amount: p.amount,
    balance_transaction: null,
    charge: charge.id,
    created: p.created ?? state.seconds(),
    currency: charge.currency,
    customer: charge.customer,
    metadata: { ...(p.metadata ?? {}) },
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: p.reason ?? null,
    status: 'succeeded',
  });
}

/** A credit note with one custom line. */
export function creditNoteObject(state: FakeState, invoice: StripeObject, p: StripeObject): StripeObject {
  const id = p.id ?? state.newId('cn');
  const lineTemplate = fromTemplate('credit_note_line_item', {});
  const prePayment = invoice.status !== 'paid';
  return fromTemplate('credit_note', {
    id,
    amount: p.amount,
    amount_shipping: 0,
    created: p.created ?? state.seconds(),
    currency: invoice.currency,
    customer: invoice.customer,
    customer_balance_transaction: p.customer_balance_transaction ?? null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: p.created ?? state.seconds(),
    invoice: invoice.id,
    lines: {
      object: 'list',
      data: [
        {
          ...lineTemplate,
          id: state.newId('cnli'),
          amount: p.amount,
          description: p.memo ?? 'Credit',
          invoice_line_item: null,
          pretax_credit_amounts: [],
          tax_rates: [],
          type: 'custom_line_item',
          unit_amount: p.amount,
          unit_amount_decimal: String(p.amount),
        },
      ],
      has_more: false,
      url: `/v1/credit_notes/${id}/lines`,
    },
    memo: p.memo ?? null,
    metadata: { ...(p.metadata ?? {}) },
    number: p.number,
    out_of_band_amount: null,
    pdf: null,
    post_payment_amount: prePayment ? 0 : p.amount,
    pre_payment_amount: prePayment ? p.amount : 0,
    pretax_credit_amounts: [],
    reason: p.reason ?? null,
    refunds: [],
    shipping_cost: null,
    status: 'issued',
    subtotal: p.amount,
    subtotal_excluding_tax: p.amount,
    total: p.amount,
    total_excluding_tax: p.amount,
    total_taxes: [],
    type: prePayment ? 'pre_payment' : 'post_payment',
    voided_at: null,
  });
}

/** A customer balance transaction (negative amount: credit given to the customer). */
export function balanceTransactionObject(state: FakeState, p: StripeObject): StripeObject {
  return fromTemplate('customer_balance_transaction', {
    id: p.id ?? state.newId('cbtxn'),
    amount: p.amount,
    checkout_session: null,
    created: p.created ?? state.seconds(),
    credit_note: p.credit_note ?? null,
    currency: p.currency,
    customer: p.customer,
    description: p.description ?? null,
    ending_balance: p.ending_balance,
    invoice: p.invoice ?? null,
    metadata: { ...(p.metadata ?? {}) },
    type: p.type ?? 'adjustment',
  });
}
