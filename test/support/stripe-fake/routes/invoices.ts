/** Invoices and invoice items: drafts, finalize, pay, void, send, and create_preview. */
import { addLine, finalizeInvoice, payInvoice } from '../billing.ts';
import { FakeError, invalidRequest } from '../errors.ts';
import type { StripeObject } from '../fixtures.ts';
import { invoiceItemObject, invoiceObject } from '../invoice-objects.ts';
import { listPage, where } from '../lists.ts';
import { mergedMetadata } from '../objects.ts';
import { type DraftLine, pendingLines, renewalLines } from '../proration.ts';
import type { FakeState } from '../state.ts';
import { asPreview, draftSubscriptionInvoice } from '../subscription-invoices.ts';
import { liveCustomer } from './customers.ts';
import { type Route, route } from './route.ts';
import { changeItem } from './subscriptions.ts';

function requireInvoice(state: FakeState, id: string, param = 'invoice'): StripeObject {
  return state.require('invoice', id, param, 'invoice');
}

function requireDraft(invoice: StripeObject): void {
  if (invoice.status !== 'draft')
    throw new FakeError(
      invalidRequest(`You can only modify draft invoices. This invoice is ${invoice.status}.`, {
        code: 'invoice_not_editable',
      }),
    );
}

/**
 * create_preview for a subscription: without changes, its next renewal invoice (pending prorations, one line per
 * item, the subscription's coupon); with `subscription_details.items`, the proration of those changes — alone for
 * `always_invoice` (what would be charged now), else with the renewal under the new items.
 */
function previewSubscription(state: FakeState, params: StripeObject): StripeObject {
  const subscription = state.require('subscription', params.subscription, 'subscription', 'subscription');
  const details = (params.subscription_details ?? {}) as StripeObject;
  const behavior = details.proration_behavior ?? 'create_prorations';
  const at = details.proration_date ?? state.seconds();
  // Work on a copy: a preview changes nothing.
  const copy = structuredClone(subscription);
  const changes = ((details.items ?? []) as StripeObject[]).map((change) => changeItem(state, copy, change, at));
  const prorations: DraftLine[] = behavior === 'none' ? [] : changes.flatMap((change) => change.lines);
  for (const change of changes) change.apply();
  const items = copy.items.data as StripeObject[];
  const immediate = behavior === 'always_invoice' && changes.length > 0;
  const lines = immediate
    ? prorations
    : [...pendingLines(state, copy), ...prorations, ...renewalLines(state, copy, items)];
  const periodEnd = Math.max(...items.map((item) => item.current_period_end));
  const invoice = draftSubscriptionInvoice(state, copy, lines, immediate ? 'subscription_update' : 'upcoming', {
    store: false,
    created: immediate ? state.seconds() : periodEnd,
  });
  if (!immediate) {
    invoice.period_start = Math.min(...items.map((item) => item.current_period_start));
    invoice.period_end = periodEnd;
  }
  return asPreview(state, invoice);
}

/** The routes. */
export const invoiceRoutes: Route[] = [
  route('GET', '/v1/invoices', 'rak_invoice_read', ({ state, params }) => {
    let invoices = where(state.all('invoice'), params.customer, (invoice) => invoice.customer);
    invoices = where(invoices, params.subscription, (invoice) => invoice.subscription);
    invoices = where(invoices, params.status, (invoice) => invoice.status);
    invoices = where(invoices, params.collection_method, (invoice) => invoice.collection_method);
    return listPage(invoices, params, '/v1/invoices');
  }),
  route('POST', '/v1/invoices', 'rak_invoice_write', ({ state, params }) => {
    const customer = liveCustomer(state, params.customer ?? '', 'customer');
    if (params.collection_method === 'send_invoice' && params.days_until_due === undefined && !params.due_date)
      throw new FakeError(
        invalidRequest('Missing required param: days_until_due.', {
          code: 'parameter_missing',
          param: 'days_until_due',
        }),
      );
    const invoice = state.insert('invoice', invoiceObject(state, customer, params));
    if (params.due_date) invoice.due_date = params.due_date;
    if (!customer.currency) customer.currency = invoice.currency;
    state.emit('invoice.created', invoice);
    return invoice;
  }),
  route('GET', '/v1/invoices/{invoice}', 'rak_invoice_read', ({ state, path }) =>
    requireInvoice(state, path.invoice ?? '', 'id'),
  ),
  route('POST', '/v1/invoices/{invoice}', 'rak_invoice_write', ({ state, params, path }) => {
    const invoice = requireInvoice(state, path.invoice ?? '', 'id');
    state.update('invoice', invoice, (target) => {
      target.metadata = mergedMetadata(target.metadata, params.metadata);
      if (params.description !== undefined) target.description = params.description || null;
      if (params.auto_advance !== undefined) target.auto_advance = params.auto_advance;
      if (params.days_until_due !== undefined) {
        requireDraft(target);
        target.days_until_due = params.days_until_due;
      }
    });
    return invoice;
  }),
  route('POST', '/v1/invoices/{invoice}/finalize', 'rak_invoice_write', ({ state, path }) => {
    const invoice = requireInvoice(state, path.invoice ?? '');
    finalizeInvoice(state, invoice);
    return invoice;
  }),
  route('POST', '/v1/invoices/{invoice}/pay', 'rak_invoice_write', ({ state, params, path }) => {
    const invoice = requireInvoice(state, path.invoice ?? '');
    payInvoice(state, invoice, { outOfBand: params.paid_out_of_band === true });
    return invoice;
  }),
  route('POST', '/v1/invoices/{invoice}/void', 'rak_invoice_write', ({ state, path }) => {
    const invoice = requireInvoice(state, path.invoice ?? '');
    if (invoice.status !== 'open')
      throw new FakeError(invalidRequest(`You can only void an open invoice. This invoice is ${invoice.status}.`));
    state.update(
      'invoice',
      invoice,
      (target) => {
        target.status = 'void';
        target.status_transitions.voided_at = state.seconds();
        target.next_payment_attempt = null;
      },
      'invoice.voided',
    );
    return invoice;
  }),
  route('POST', '/v1/invoices/{invoice}/send', 'rak_invoice_write', ({ state, path }) => {
    const invoice = requireInvoice(state, path.invoice ?? '');
    if (invoice.status === 'draft') throw new FakeError(invalidRequest('You can only send an invoice that is open.'));
    state.emit('invoice.sent', invoice);
    return invoice;
  }),
  route('POST', '/v1/invoices/create_preview', 'rak_invoice_read', ({ state, params }) => {
    if (!params.subscription)
      throw new FakeError(
        invalidRequest('The fake previews subscription invoices only: pass `subscription`.', { param: 'subscription' }),
      );
    return previewSubscription(state, params);
  }),
  route('GET', '/v1/invoiceitems', 'rak_invoice_read', ({ state, params }) => {
    let items = where(state.all('invoiceitem'), params.customer, (item) => item.customer);
    items = where(items, params.invoice, (item) => item.invoice);
    return listPage(items, params, '/v1/invoiceitems');
  }),
  route('POST', '/v1/invoiceitems', 'rak_invoice_write', ({ state, params }) => {
    const customer = liveCustomer(state, params.customer ?? '', 'customer');
    const invoice = params.invoice ? requireInvoice(state, params.invoice, 'invoice') : undefined;
    if (invoice) requireDraft(invoice);
    const quantity = params.quantity ?? 1;
    const unit = params.unit_amount_decimal !== undefined ? Number(params.unit_amount_decimal) : params.unit_amount;
    const amount = params.amount ?? (unit === undefined ? undefined : Math.round(unit * quantity));
    if (amount === undefined)
      throw new FakeError(
        invalidRequest('Missing required param: amount.', { code: 'parameter_missing', param: 'amount' }),
      );
    const currency = params.currency ?? invoice?.currency ?? customer.currency;
    const item = state.insert(
      'invoiceitem',
      invoiceItemObject(state, {
        amount,
        currency,
        customer: customer.id,
        description: params.description,
        invoice: invoice?.id,
        metadata: params.metadata,
        quantity,
        unit_amount_decimal: unit === undefined ? null : String(unit),
        period_start: params.period?.start,
        period_end: params.period?.end,
      }),
    );
    if (invoice)
      state.update('invoice', invoice, (target) =>
        addLine(state, target, {
          amount,
          description: params.description,
          quantity,
          invoice_item: item.id,
          unit_amount_decimal: unit === undefined ? null : String(unit),
          period_start: item.period.start,
          period_end: item.period.end,
        }),
      );
    state.emit('invoiceitem.created', item);
    return item;
  }),
];
