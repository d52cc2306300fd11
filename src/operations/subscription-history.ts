/**
 * subscription_history: a customer's billing story as a dated timeline — starts, plan changes, discounts,
 * renewals, failed payments, refunds, credits, cancellations — each with its amount and the ids it rests on.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Customer, Invoice, Subscription } from '../domain/billing.ts';
import { type Currency, formatMoney, money } from '../domain/money.ts';
import { personDate } from '../domain/person-time.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of subscription_history. */
export const subscriptionHistoryInput = z
  .object({ customer: z.string().min(1).max(200), limit: z.number().int().min(1).max(1000).default(200) })
  .strict();

/** One dated event in a customer's billing history. */
export interface HistoryEvent {
  at: Date;
  kind:
    | 'started'
    | 'trial_ended'
    | 'renewed'
    | 'plan_changed'
    | 'discount'
    | 'invoiced'
    | 'payment_failed'
    | 'refunded'
    | 'credited'
    | 'cancel_requested'
    | 'canceled';
  summary: string;
  amount: number | null;
  currency: Currency | null;
  ids: string[];
}

/** Same-instant events read in this order: a start before its first invoice, a failure before the cancellation. */
const KIND_ORDER: HistoryEvent['kind'][] = [
  'started',
  'invoiced',
  'discount',
  'renewed',
  'plan_changed',
  'trial_ended',
  'payment_failed',
  'refunded',
  'credited',
  'cancel_requested',
  'canceled',
];

const show = (amount: number, currency: Currency) => formatMoney(money(amount, currency));

async function planNames(connector: BillingConnector, subscription: Subscription): Promise<string> {
  const names = [];
  for (const item of subscription.items) {
    const price = await connector.getPrice(item.priceId);
    const product = price ? await connector.getProduct(price.productId) : undefined;
    names.push(price?.nickname || product?.name || item.priceId);
  }
  return names.join(' + ');
}

function subscriptionEvents(subscription: Subscription, plans: string): HistoryEvent[] {
  const events: HistoryEvent[] = [
    {
      at: subscription.createdAt,
      kind: 'started',
      summary: `Subscribed to ${plans}${subscription.trialEnd ? ` with a trial to ${personDate(subscription.trialEnd)}` : ''}`,
      amount: null,
      currency: subscription.currency,
      ids: [subscription.id],
    },
  ];
  if (subscription.canceledAt && (!subscription.endedAt || subscription.canceledAt < subscription.endedAt))
    events.push({
      at: subscription.canceledAt,
      kind: 'cancel_requested',
      summary: `Asked to cancel ${plans} at the end of the period (${subscription.cancellationReason ?? 'no reason given'})`,
      amount: null,
      currency: null,
      ids: [subscription.id],
    });
  if (subscription.endedAt)
    events.push({
      at: subscription.endedAt,
      kind: 'canceled',
      summary: `${plans} ended${subscription.cancellationReason === 'payment_failed' ? ' after failed payments' : subscription.cancellationReason ? ` (${subscription.cancellationReason})` : ''}`,
      amount: null,
      currency: null,
      ids: [subscription.id],
    });
  return events;
}

function invoiceEvents(invoice: Invoice): HistoryEvent[] {
  if (invoice.status === 'draft') return [];
  const at = invoice.finalizedAt ?? invoice.createdAt;
  const total = show(invoice.total, invoice.currency);
  const base = { at, amount: invoice.total, currency: invoice.currency, ids: [invoice.id] };
  const events: HistoryEvent[] = [];
  if (invoice.billingReason === 'subscription_update') {
    const lines = invoice.lines
      .filter((line) => line.proration)
      .map((line) => `${line.description} ${show(line.amount, invoice.currency)}`);
    events.push({
      ...base,
      kind: 'plan_changed',
      summary: `Plan changed: ${lines.join('; ') || 'no proration'} (${invoice.number}, ${total})`,
    });
  } else if (invoice.billingReason === 'subscription_cycle') {
    events.push({ ...base, kind: 'renewed', summary: `Renewed: ${invoice.number} for ${total}, ${invoice.status}` });
  } else {
    const what = invoice.billingReason === 'subscription_create' ? 'First invoice' : 'Invoice';
    events.push({ ...base, kind: 'invoiced', summary: `${what} ${invoice.number} for ${total}, ${invoice.status}` });
  }
  if (invoice.discount > 0)
    events.push({
      ...base,
      kind: 'discount',
      amount: invoice.discount,
      summary: `Discount of ${show(invoice.discount, invoice.currency)} on ${invoice.number}`,
    });
  return events;
}

/** Builds the timeline of one customer, newest last. */
export async function customerHistory(
  connector: BillingConnector,
  customer: Customer,
  limit: number,
): Promise<HistoryEvent[]> {
  const [subscriptions, invoices, charges, refunds, creditNotes] = await Promise.all([
    connector.listSubscriptions({ customerId: customer.id, limit: 100 }),
    connector.listInvoices({ customerId: customer.id, limit }),
    connector.listCharges({ customerId: customer.id, limit }),
    connector.listRefunds({ customerId: customer.id }),
    connector.listCreditNotes({ customerId: customer.id }),
  ]);
  const events: HistoryEvent[] = [];
  for (const subscription of subscriptions)
    events.push(...subscriptionEvents(subscription, await planNames(connector, subscription)));
  for (const invoice of invoices) events.push(...invoiceEvents(invoice));
  const numbers = new Map(invoices.map((invoice) => [invoice.id, invoice.number]));
  for (const charge of charges.filter((item) => item.status === 'failed'))
    events.push({
      at: charge.createdAt,
      kind: 'payment_failed',
      summary: `Payment of ${show(charge.amount, charge.currency)} failed: ${charge.failureCode ?? 'declined'}${
        charge.invoiceId ? ` (${numbers.get(charge.invoiceId) ?? charge.invoiceId})` : ''
      }`,
      amount: charge.amount,
      currency: charge.currency,
      ids: [charge.id, ...(charge.invoiceId ? [charge.invoiceId] : [])],
    });
  for (const refund of refunds)
    events.push({
      at: refund.createdAt,
      kind: 'refunded',
      summary: `Refunded ${show(refund.amount, refund.currency)}${refund.reason ? `: ${refund.reason}` : ''}`,
      amount: refund.amount,
      currency: refund.currency,
      ids: [refund.id, refund.chargeId],
    });
  for (const note of creditNotes)
    events.push({
      at: note.createdAt,
      kind: 'credited',
      summary: `Credit note of ${show(note.amount, note.currency)} on ${numbers.get(note.invoiceId) ?? note.invoiceId}${note.reason ? `: ${note.reason}` : ''}`,
      amount: note.amount,
      currency: note.currency,
      ids: [note.id, note.invoiceId],
    });
  return events
    .sort((a, b) => a.at.getTime() - b.at.getTime() || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
    .slice(-limit);
}

/** Summarises a customer's subscription history. */
export const subscriptionHistory = defineRead({
  name: 'subscription_history',
  description:
    "Summarise a customer's subscription history: a dated timeline of starts, plan changes, discounts, renewals, failed payments, refunds, credits and cancellations, with amounts and ids.",
  kind: 'data.read',
  input: subscriptionHistoryInput,
  async run(_context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer);
    const events = await customerHistory(connector, customer, input.limit);
    const count = (kind: HistoryEvent['kind']) => events.filter((event) => event.kind === kind).length;
    const first = events[0];
    const summary =
      events.length === 0
        ? `${customer.name} has no billing history yet.`
        : `${customer.name} has been billed since ${first ? personDate(first.at) : 'never'}: ${count('started')} subscription start(s), ${count(
            'plan_changed',
          )} plan change(s), ${count('renewed')} renewal(s), ${count('payment_failed')} failed payment(s), ${count('refunded')} refund(s), ${count(
            'canceled',
          )} cancellation(s).`;
    return { customer: { id: customer.id, name: customer.name, email: customer.email }, events, summary };
  },
  subjects: (_input, output) => ({ customerId: output.customer.id }),
});
