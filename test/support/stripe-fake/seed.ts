/**
 * Direct state creation for tests: objects made as given (no validation, no side effects such as charging), each
 * recording its `<type>.created` event stamped with the object's `created` (at most the fake's now). Parameters are Stripe-shaped, plus a
 * few conveniences (`card` on a customer, price ids on subscription items, totals on invoices).
 */
import { addInterval, recomputeTotals } from './billing.ts';
import type { StripeObject } from './fixtures.ts';
import { invoiceObject, lineObject } from './invoice-objects.ts';
import {
  balanceTransactionObject,
  chargeObject,
  creditNoteObject,
  invoicePaymentObject,
  paymentIntentObject,
  refundObject,
} from './money-objects.ts';
import {
  couponObject,
  customerObject,
  discountObject,
  paymentMethodObject,
  priceObject,
  productObject,
  subscriptionItemObject,
  subscriptionObject,
} from './objects.ts';
import type { FakeState, ObjectType } from './state.ts';

/** The seeding functions. */
export interface StripeFakeSeed {
  customer(p: StripeObject): StripeObject;
  payment_method(p: StripeObject): StripeObject;
  product(p: StripeObject): StripeObject;
  price(p: StripeObject): StripeObject;
  coupon(p: StripeObject): StripeObject;
  subscription(p: StripeObject): StripeObject;
  invoice(p: StripeObject): StripeObject;
  charge(p: StripeObject): StripeObject;
  refund(p: StripeObject): StripeObject;
  credit_note(p: StripeObject): StripeObject;
  customer_balance_transaction(p: StripeObject): StripeObject;
}

function store(state: FakeState, type: ObjectType, object: StripeObject, eventType = `${type}.created`): StripeObject {
  state.insert(type, object);
  // An event is never ahead of the fake clock, whatever instant the seeded object carries.
  state.emit(eventType, object, undefined, Math.min(object.created ?? state.seconds(), state.seconds()));
  return object;
}

/** Seeders bound to a state. */
export function seeder(state: FakeState): StripeFakeSeed {
  const seed: StripeFakeSeed = {
    payment_method: (p) => store(state, 'payment_method', paymentMethodObject(state, p), 'payment_method.attached'),
    customer(p) {
      const customer = customerObject(state, p);
      if (p.card) {
        const method = seed.payment_method({ ...p.card, customer: customer.id, created: customer.created });
        customer.invoice_settings.default_payment_method = method.id;
      }
      store(state, 'customer', customer);
      if (p.deleted) customer.deleted = true;
      return customer;
    },
    product: (p) => store(state, 'product', productObject(state, p)),
    price: (p) => store(state, 'price', priceObject(state, p)),
    coupon: (p) => store(state, 'coupon', couponObject(state, p)),
    subscription(p) {
      const created = p.created ?? state.seconds();
      const subscription = subscriptionObject(state, { ...p, created });
      subscription.items.data = (p.items as StripeObject[]).map((item) => {
        const price = typeof item.price === 'string' ? state.require('price', item.price) : item.price;
        const start = item.current_period_start ?? p.current_period_start ?? created;
        return subscriptionItemObject(state, {
          id: item.id,
          created,
          price,
          quantity: item.quantity ?? 1,
          subscription: subscription.id,
          current_period_start: start,
          current_period_end:
            item.current_period_end ?? p.current_period_end ?? addInterval(start, price.recurring?.interval ?? 'month'),
        });
      });
      subscription.items.total_count = subscription.items.data.length;
      subscription.currency ??= subscription.items.data[0]?.price.currency;
      if (p.coupon) {
        const discount = state.insert(
          'discount',
          discountObject(state, {
            coupon: p.coupon,
            customer: p.customer,
            subscription: subscription.id,
            start: p.discount_start ?? created,
            end: p.discount_end ?? null,
          }),
        );
        subscription.discounts = [discount.id];
      }
      return store(state, 'subscription', subscription, 'customer.subscription.created');
    },
    invoice(p) {
      const customer = state.require('customer', p.customer);
      const subscription = p.subscription ? state.get('subscription', p.subscription) : undefined;
      const invoice = invoiceObject(state, customer, { ...p, discounts: p.discounts ?? subscription?.discounts ?? [] });
      for (const line of (p.lines ?? []) as StripeObject[])
        invoice.lines.data.push(
          lineObject(state, { currency: invoice.currency, subscription: p.subscription, ...line, invoice: invoice.id }),
        );
      recomputeTotals(state, invoice);
      // Given totals win over computed ones: the seed copies another system's numbers.
      const discount = p.discount ?? invoice.total_discount_amounts[0]?.amount ?? 0;
      const tax = p.tax ?? 0;
      invoice.total_discount_amounts = discount ? [{ amount: discount, discount: invoice.discounts[0] ?? null }] : [];
      invoice.total_taxes = tax
        ? [
            {
              amount: tax,
              tax_behavior: 'exclusive',
              tax_rate_details: null,
              taxability_reason: 'standard_rated',
              taxable_amount: invoice.subtotal - discount,
              type: 'tax_rate_details',
            },
          ]
        : [];
      invoice.total = p.total ?? invoice.subtotal - discount + tax;
      invoice.total_excluding_tax = invoice.total - tax;
      const status = p.status ?? 'draft';
      const credit = p.credit_applied ?? 0;
      invoice.status = status;
      invoice.number = p.number ?? null;
      invoice.amount_due = p.amount_due ?? Math.max(0, invoice.total - credit);
      invoice.amount_paid = p.amount_paid ?? (status === 'paid' ? invoice.amount_due : 0);
      invoice.amount_remaining =
        p.amount_remaining ?? (status === 'open' ? invoice.amount_due - invoice.amount_paid : 0);
      invoice.starting_balance = -credit;
      invoice.ending_balance = status === 'draft' ? null : 0;
      invoice.due_date = p.due_date ?? null;
      invoice.effective_at = p.finalized_at ?? null;
      invoice.status_transitions = {
        finalized_at: p.finalized_at ?? null,
        marked_uncollectible_at: null,
        paid_at: p.paid_at ?? null,
        voided_at: p.voided_at ?? null,
      };
      invoice.attempt_count = p.attempt_count ?? 0;
      invoice.attempted = invoice.attempt_count > 0;
      invoice.next_payment_attempt = p.next_payment_attempt ?? null;
      return store(state, 'invoice', invoice);
    },
    charge(p) {
      let paymentIntent = p.payment_intent ?? null;
      if (p.invoice && !paymentIntent) {
        const invoice = state.require('invoice', p.invoice);
        const intent = paymentIntentObject(state, {
          id: `pi_${String(p.id ?? state.newId('x')).replace(/^ch_/, '')}`,
          amount: p.amount,
          currency: p.currency,
          customer: p.customer,
          created: p.created,
          status: p.status === 'succeeded' ? 'succeeded' : 'requires_payment_method',
        });
        store(state, 'payment_intent', intent);
        paymentIntent = intent.id;
        const payment = invoicePaymentObject(state, {
          amount: p.amount,
          currency: p.currency,
          invoice: invoice.id,
          payment_intent: intent.id,
          status: p.status === 'succeeded' ? 'paid' : 'open',
        });
        payment.created = p.created ?? payment.created;
        invoice.payments.data.push(payment);
        invoice.payments.total_count = invoice.payments.data.length;
      }
      const charge = chargeObject(state, { ...p, payment_intent: paymentIntent });
      charge.refunded = charge.amount_refunded >= charge.amount && charge.amount > 0;
      if (paymentIntent) {
        const intent = state.get('payment_intent', paymentIntent);
        if (intent) intent.latest_charge = charge.id;
      }
      if (p.metadata) charge.metadata = { ...p.metadata };
      return store(state, 'charge', charge);
    },
    refund(p) {
      const charge = state.require('charge', p.charge);
      const refund = store(state, 'refund', refundObject(state, charge, p));
      charge.refunds.data.unshift(structuredClone(refund));
      charge.refunds.total_count = charge.refunds.data.length;
      return refund;
    },
    credit_note(p) {
      const invoice = state.require('invoice', p.invoice);
      const count = state.all('credit_note').filter((note) => note.invoice === invoice.id).length;
      return store(
        state,
        'credit_note',
        creditNoteObject(state, invoice, {
          number: `${invoice.number ?? invoice.id}-CN-${String(count + 1).padStart(2, '0')}`,
          ...p,
        }),
      );
    },
    customer_balance_transaction(p) {
      const customer = state.require('customer', p.customer);
      const ending = p.ending_balance ?? customer.balance;
      return store(
        state,
        'customer_balance_transaction',
        balanceTransactionObject(state, {
          currency: customer.currency,
          type: p.invoice ? 'applied_to_invoice' : 'adjustment',
          ...p,
          ending_balance: ending,
        }),
      );
    },
  };
  return seed;
}
