/** Charges, payment intents, refunds, credit notes and events. */
import { FakeError, invalidRequest } from '../errors.ts';
import type { StripeObject } from '../fixtures.ts';
import { listPage, where } from '../lists.ts';
import { balanceTransactionObject, creditNoteObject, refundObject } from '../money-objects.ts';
import type { FakeState } from '../state.ts';
import { type Route, route } from './route.ts';

const ZERO_DECIMAL = new Set([
  'jpy',
  'krw',
  'vnd',
  'clp',
  'xof',
  'xaf',
  'ugx',
  'pyg',
  'rwf',
  'kmf',
  'gnf',
  'bif',
  'djf',
  'mga',
  'vuv',
  'xpf',
]);

/** An amount as Stripe writes it in messages: `$12.34`. */
function money(amount: number, currency: string): string {
  const digits = ZERO_DECIMAL.has(currency) ? 0 : 2;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 10 ** digits,
  );
}

function createRefund(state: FakeState, params: StripeObject): StripeObject {
  const chargeId = params.charge ?? state.get('payment_intent', params.payment_intent ?? '')?.latest_charge;
  if (!chargeId)
    throw new FakeError(
      invalidRequest('Missing required param: charge.', { code: 'parameter_missing', param: 'charge' }),
    );
  const charge = state.require('charge', chargeId, 'charge', 'charge');
  if (charge.status !== 'succeeded')
    throw new FakeError(
      invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, {
        code: 'charge_not_refundable',
      }),
    );
  const remainder = charge.amount - charge.amount_refunded;
  if (remainder <= 0)
    throw new FakeError(
      invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' }),
    );
  const amount = params.amount ?? remainder;
  if (amount <= 0) throw new FakeError(invalidRequest('Invalid positive integer', { param: 'amount' }));
  if (amount > remainder)
    throw new FakeError(
      invalidRequest(
        `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(remainder, charge.currency)})`,
        { param: 'amount' },
      ),
    );
  const refund = state.insert('refund', refundObject(state, charge, { ...params, amount }));
  state.emit('refund.created', refund);
  state.update(
    'charge',
    charge,
    (target) => {
      target.amount_refunded += amount;
      target.refunded = target.amount_refunded >= target.amount;
      target.refunds.data.unshift(structuredClone(refund));
      target.refunds.total_count = target.refunds.data.length;
    },
    'charge.refunded',
  );
  return refund;
}

function creditNoteAmount(params: StripeObject): number | undefined {
  if (params.amount !== undefined) return params.amount;
  const lines = params.lines as StripeObject[] | undefined;
  if (!lines) return undefined;
  return lines.reduce(
    (sum, line) =>
      sum +
      (line.amount ?? Math.round(Number(line.unit_amount_decimal ?? line.unit_amount ?? 0) * (line.quantity ?? 1))),
    0,
  );
}

function createCreditNote(state: FakeState, params: StripeObject): StripeObject {
  const invoice = state.require('invoice', params.invoice ?? '', 'invoice', 'invoice');
  if (invoice.status !== 'open' && invoice.status !== 'paid')
    throw new FakeError(
      invalidRequest(`You can only create credit notes for open or paid invoices. This invoice is ${invoice.status}.`, {
        param: 'invoice',
      }),
    );
  const amount = creditNoteAmount(params);
  if (amount === undefined || amount <= 0)
    throw new FakeError(
      invalidRequest('Missing required param: amount.', { code: 'parameter_missing', param: 'amount' }),
    );
  const earlier = state
    .all('credit_note')
    .filter((note) => note.invoice === invoice.id && note.status !== 'void')
    .reduce((sum, note) => sum + note.amount, 0);
  const creditable = invoice.total - earlier;
  if (amount > creditable)
    throw new FakeError(
      invalidRequest(
        `The sum of the credit note amount (${money(amount, invoice.currency)}) must be less than or equal to the invoice's remaining creditable amount (${money(creditable, invoice.currency)}).`,
        { param: 'amount' },
      ),
    );
  const notes = state.all('credit_note').filter((note) => note.invoice === invoice.id).length;
  const note = creditNoteObject(state, invoice, {
    amount,
    memo: params.memo,
    metadata: params.metadata,
    reason: params.reason,
    number: `${invoice.number}-CN-${String(notes + 1).padStart(2, '0')}`,
  });
  if (invoice.status === 'open') {
    state.update('invoice', invoice, (target) => {
      target.pre_payment_credit_notes_amount += amount;
      target.amount_due = Math.max(0, target.amount_due - amount);
      target.amount_remaining = Math.max(0, target.amount_remaining - amount);
      if (target.amount_remaining === 0) {
        target.status = 'paid';
        target.status_transitions.paid_at = state.seconds();
      }
    });
  } else {
    // A note on a paid invoice credits the customer's balance.
    const customer = state.require('customer', invoice.customer);
    state.update('customer', customer, (target) => (target.balance -= amount));
    const transaction = state.insert(
      'customer_balance_transaction',
      balanceTransactionObject(state, {
        amount: -amount,
        currency: invoice.currency,
        customer: customer.id,
        credit_note: note.id,
        ending_balance: customer.balance,
        invoice: invoice.id,
        type: 'credit_note',
      }),
    );
    note.customer_balance_transaction = transaction.id;
    state.update('invoice', invoice, (target) => (target.post_payment_credit_notes_amount += amount));
  }
  state.insert('credit_note', note);
  state.emit('credit_note.created', note);
  return note;
}

function eventTypeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** The routes. */
export const paymentRoutes: Route[] = [
  route('GET', '/v1/charges', 'rak_charge_read', ({ state, params }) => {
    let charges = where(state.all('charge'), params.customer, (charge) => charge.customer);
    charges = where(charges, params.payment_intent, (charge) => charge.payment_intent);
    return listPage(charges, params, '/v1/charges');
  }),
  route('GET', '/v1/charges/{charge}', 'rak_charge_read', ({ state, path }) =>
    state.require('charge', path.charge ?? '', 'charge'),
  ),
  route('GET', '/v1/payment_intents', 'rak_payment_intent_read', ({ state, params }) =>
    listPage(
      where(state.all('payment_intent'), params.customer, (intent) => intent.customer),
      params,
      '/v1/payment_intents',
    ),
  ),
  route('GET', '/v1/payment_intents/{intent}', 'rak_payment_intent_read', ({ state, path }) =>
    state.require('payment_intent', path.intent ?? '', 'intent', 'payment_intent'),
  ),
  route('GET', '/v1/refunds', 'rak_refund_read', ({ state, params }) => {
    let refunds = where(state.all('refund'), params.charge, (refund) => refund.charge);
    refunds = where(refunds, params.payment_intent, (refund) => refund.payment_intent);
    return listPage(refunds, params, '/v1/refunds');
  }),
  route('POST', '/v1/refunds', 'rak_refund_write', ({ state, params }) => createRefund(state, params)),
  route('GET', '/v1/refunds/{refund}', 'rak_refund_read', ({ state, path }) =>
    state.require('refund', path.refund ?? '', 'refund'),
  ),
  route('GET', '/v1/credit_notes', 'rak_credit_note_read', ({ state, params }) => {
    let notes = where(state.all('credit_note'), params.invoice, (note) => note.invoice);
    notes = where(notes, params.customer, (note) => note.customer);
    return listPage(notes, params, '/v1/credit_notes');
  }),
  route('POST', '/v1/credit_notes', 'rak_credit_note_write', ({ state, params }) => createCreditNote(state, params)),
  route('GET', '/v1/credit_notes/{id}', 'rak_credit_note_read', ({ state, path }) =>
    state.require('credit_note', path.id ?? '', 'id', 'credit note'),
  ),
  route('GET', '/v1/events', 'rak_event_read', ({ state, params }) => {
    const patterns = (params.types as string[] | undefined) ?? (params.type ? [params.type] : undefined);
    const events = patterns
      ? state.all('event').filter((event) => patterns.some((pattern) => eventTypeMatches(event.type, pattern)))
      : state.all('event');
    return listPage(events, params, '/v1/events');
  }),
  route('GET', '/v1/events/{id}', 'rak_event_read', ({ state, path }) => state.require('event', path.id ?? '', 'id')),
];
