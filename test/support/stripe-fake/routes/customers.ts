/** Customers, their balance transactions and payment methods. */
import { FakeError, invalidRequest } from '../errors.ts';
import type { StripeObject } from '../fixtures.ts';
import { listPage, where } from '../lists.ts';
import { balanceTransactionObject } from '../money-objects.ts';
import { customerObject, mergedMetadata, paymentMethodObject } from '../objects.ts';
import type { FakeState } from '../state.ts';
import { type Route, route } from './route.ts';

/** Stripe's test payment method tokens the fake turns into cards. */
const TEST_CARDS: Record<string, StripeObject> = {
  pm_card_visa: { brand: 'visa', last4: '4242', country: 'US' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', country: 'US' },
  pm_card_amex: { brand: 'amex', last4: '8431', country: 'US' },
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', country: 'US', metadata: { fake_card: 'declined' } },
};

/** A payment method for a customer: an existing `pm_` id, or a copy of a test card token. */
function attachPaymentMethod(state: FakeState, customerId: string, id: string, param: string): string {
  const existing = state.get('payment_method', id);
  if (existing) {
    existing.customer = customerId;
    return existing.id;
  }
  const card = TEST_CARDS[id];
  if (!card)
    throw new FakeError(
      invalidRequest(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param, status: 404 }),
    );
  return state.insert('payment_method', paymentMethodObject(state, { ...card, customer: customerId })).id;
}

function applyCustomerParams(state: FakeState, customer: StripeObject, params: StripeObject): void {
  if (params.name !== undefined) customer.name = params.name || null;
  if (params.email !== undefined) customer.email = params.email || null;
  if (params.description !== undefined) customer.description = params.description || null;
  if (params.phone !== undefined) customer.phone = params.phone || null;
  if (params.address !== undefined)
    customer.address = params.address === '' ? null : { ...(customer.address ?? {}), ...params.address };
  if (params.balance !== undefined) customer.balance = params.balance;
  customer.metadata = mergedMetadata(customer.metadata, params.metadata);
  const method = params.invoice_settings?.default_payment_method;
  if (method !== undefined)
    customer.invoice_settings.default_payment_method =
      method === ''
        ? null
        : attachPaymentMethod(state, customer.id, method, 'invoice_settings[default_payment_method]');
}

/** The customer, 404 when unknown or deleted. */
export function liveCustomer(state: FakeState, id: string, param = 'id'): StripeObject {
  const customer = state.require('customer', id, param);
  if (customer.deleted)
    throw new FakeError(invalidRequest(`No such customer: '${id}'`, { code: 'resource_missing', param, status: 404 }));
  return customer;
}

/** The routes. */
export const customerRoutes: Route[] = [
  route('GET', '/v1/customers', 'rak_customer_read', ({ state, params }) => {
    const customers = state.all('customer').filter((customer) => !customer.deleted);
    return listPage(
      where(customers, params.email, (customer) => customer.email),
      params,
      '/v1/customers',
    );
  }),
  route('POST', '/v1/customers', 'rak_customer_write', ({ state, params }) => {
    const customer = customerObject(state, { invoice_prefix: params.invoice_prefix });
    applyCustomerParams(state, customer, { ...params, address: params.address || undefined });
    if (params.payment_method) {
      const id = attachPaymentMethod(state, customer.id, params.payment_method, 'payment_method');
      if (!params.invoice_settings?.default_payment_method) customer.invoice_settings.default_payment_method = id;
    }
    state.insert('customer', customer);
    state.emit('customer.created', customer);
    return customer;
  }),
  route('GET', '/v1/customers/{customer}', 'rak_customer_read', ({ state, path }) => {
    const customer = state.require('customer', path.customer ?? '');
    return customer.deleted ? { id: customer.id, object: 'customer', deleted: true } : customer;
  }),
  route('POST', '/v1/customers/{customer}', 'rak_customer_write', ({ state, params, path }) => {
    const customer = liveCustomer(state, path.customer ?? '');
    state.update('customer', customer, (target) => applyCustomerParams(state, target, params));
    return customer;
  }),
  route('DELETE', '/v1/customers/{customer}', 'rak_customer_write', ({ state, path }) => {
    const customer = liveCustomer(state, path.customer ?? '');
    customer.deleted = true;
    state.emit('customer.deleted', customer);
    return { id: customer.id, object: 'customer', deleted: true };
  }),
  route('GET', '/v1/customers/{customer}/balance_transactions', 'rak_customer_read', ({ state, params, path }) => {
    const customer = liveCustomer(state, path.customer ?? '', 'customer');
    const transactions = state.all('customer_balance_transaction').filter((entry) => entry.customer === customer.id);
    return listPage(transactions, params, `/v1/customers/${customer.id}/balance_transactions`);
  }),
  route('POST', '/v1/customers/{customer}/balance_transactions', 'rak_customer_write', ({ state, params, path }) => {
    const customer = liveCustomer(state, path.customer ?? '', 'customer');
    if (customer.currency && customer.currency !== params.currency)
      throw new FakeError(
        invalidRequest(`The currency ${params.currency} does not match the customer's currency ${customer.currency}.`, {
          param: 'currency',
        }),
      );
    state.update('customer', customer, (target) => {
      target.balance += params.amount;
      target.currency ??= params.currency;
    });
    const transaction = balanceTransactionObject(state, {
      amount: params.amount,
      currency: params.currency,
      customer: customer.id,
      description: params.description,
      ending_balance: customer.balance,
      metadata: params.metadata,
    });
    return state.insert('customer_balance_transaction', transaction);
  }),
  route('GET', '/v1/payment_methods', 'rak_payment_method_read', ({ state, params }) => {
    let methods = where(state.all('payment_method'), params.customer, (method) => method.customer);
    methods = where(methods, params.type, (method) => method.type);
    return listPage(methods, params, '/v1/payment_methods');
  }),
  route('GET', '/v1/payment_methods/{payment_method}', 'rak_payment_method_read', ({ state, path }) =>
    state.require('payment_method', path.payment_method ?? '', 'payment_method', 'PaymentMethod'),
  ),
];
