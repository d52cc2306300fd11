/**
 * Builders of the money objects: payment intents, charges, invoice payments, refunds, credit notes and customer
 * balance transactions. Builders do not store anything.
 */
import { fromTemplate, type StripeObject, stripeAddress } from './fixtures.ts';
import type { FakeState } from './state.ts';

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
