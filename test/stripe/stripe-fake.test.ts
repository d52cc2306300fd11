/**
 * The Stripe fake the connector is tested against, driven by the real `stripe` SDK: lists and paging, Stripe's
 * idempotency rules, spec validation, injected faults and timeouts, the rate limit, billing semantics (refunds,
 * proration, invoices, credit notes), events and signed webhooks, and a copy of a Leash ledger org.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { missingPermissionOf } from '../../src/connectors/stripe/probe-permissions.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';
import { ROUTES } from '../support/stripe-fake/server.ts';
import { matchOperation } from '../support/stripe-fake/spec-validator.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

function client(fake: StripeFake, options: { timeout?: number; key?: string } = {}): Stripe {
  return new Stripe(options.key ?? fake.apiKey, {
    host: '127.0.0.1',
    port: fake.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
    ...(options.timeout ? { timeout: options.timeout } : {}),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the request to fail');
}

/** A customer with a card, a monthly price of `amount` and an active subscription (first invoice paid). */
async function subscribed(stripe: Stripe, amount = 3000, quantity = 1) {
  const customer = await stripe.customers.create({
    name: 'Ada Ltd',
    email: 'ada@example.test',
    payment_method: 'pm_card_visa',
  });
  const product = await stripe.products.create({ name: 'Pro' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: amount,
    recurring: { interval: 'month' },
  });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id, quantity }],
  });
  return { customer, product, price, subscription };
}

let fake: StripeFake;
let stripe: Stripe;
beforeAll(async () => {
  fake = await startStripeFake({ now: NOW });
  stripe = client(fake);
});
afterAll(() => fake.close());
afterEach(() => {
  expect(fake.invalidRequests).toEqual([]);
});

describe('the fake models spec operations only', () => {
  it('every route is an operation of the spec', () => {
    for (const key of ROUTES.keys()) {
      const [method = '', template = ''] = key.split(' ');
      const matched = matchOperation(method, template.replace(/\{[^}]+\}/g, 'x_1'));
      expect('template' in matched ? matched.template : key).toBe(template);
    }
  });
});

describe('the clock', () => {
  it('is frozen at `now` when given, else follows the wall clock; advance() moves both', async () => {
    expect(fake.now()).toEqual(NOW);
    const wall = await startStripeFake();
    expect(Math.abs(wall.now().getTime() - Date.now())).toBeLessThan(1000);
    wall.advance(DAY);
    expect(Math.abs(wall.now().getTime() - Date.now() - DAY)).toBeLessThan(1000);
    await wall.close();
  });
});

describe('lists', () => {
  it('pages of at most 100, newest first, with has_more and cursors', async () => {
    const own = await startStripeFake({ now: NOW });
    const sdk = client(own);
    for (let index = 0; index < 250; index += 1)
      own.seed.customer({
        name: `Customer ${index}`,
        email: `c${index}@example.test`,
        created: seconds(NOW) - 250 + index,
      });
    const first = await sdk.customers.list({ limit: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.has_more).toBe(true);
    expect(first.data[0]?.name).toBe('Customer 249');
    const second = await sdk.customers.list({ limit: 100, starting_after: first.data.at(-1)?.id });
    const third = await sdk.customers.list({ limit: 100, starting_after: second.data.at(-1)?.id });
    expect([second.has_more, third.data.length, third.has_more]).toEqual([true, 50, false]);
    const all = await sdk.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(new Set(all.map((customer) => customer.id)).size).toBe(250);
    const back = await sdk.customers.list({ limit: 10, ending_before: second.data[0]?.id });
    expect(back.data.map((customer) => customer.id)).toEqual(first.data.slice(90).map((customer) => customer.id));
    const recent = await sdk.customers.list({ created: { gte: seconds(NOW) - 10 } });
    expect(recent.data).toHaveLength(10);
    expect((await sdk.customers.list({ email: 'c7@example.test' })).data.map((customer) => customer.name)).toEqual([
      'Customer 7',
    ]);
    const tooMany = await rejection(sdk.customers.list({ limit: 101 }));
    expect(tooMany).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await own.close();
  });

  it('expands what Stripe expands, and price tiers only when asked', async () => {
    const product = await stripe.products.create({ name: 'API' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 1000, unit_amount: 0 },
        { up_to: 'inf', unit_amount: 2 },
      ],
      recurring: { interval: 'month', usage_type: 'metered' },
    });
    expect(price.tiers).toBeUndefined();
    const expanded = await stripe.prices.retrieve(price.id, { expand: ['tiers'] });
    expect(expanded.tiers?.map((tier) => tier.up_to)).toEqual([1000, null]);
    const listed = await stripe.prices.list({ product: product.id, expand: ['data.tiers'] });
    expect(listed.data[0]?.tiers).toHaveLength(2);
    const customer = await stripe.customers.create({ name: 'Card', payment_method: 'pm_card_mastercard' });
    const withCard = (await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    const method = withCard.invoice_settings.default_payment_method as Stripe.PaymentMethod;
    expect([method.object, method.card?.brand, method.card?.last4]).toEqual(['payment_method', 'mastercard', '4444']);
    const methods = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(methods.data.map((entry) => entry.id)).toEqual([method.id]);
  });
});

describe('idempotency', () => {
  it('replays the stored answer for the same key and body, with Idempotent-Replayed', async () => {
    const before = fake.objects('customer').length;
    const first = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'key-once' });
    const again = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'key-once' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(first.lastResponse.headers['request-id']).toMatch(/^req_/);
    expect(fake.objects('customer').length).toBe(before + 1);
    expect(fake.requests.filter((request) => request.idempotencyKey === 'key-once')).toHaveLength(2);
  });

  it('refuses the same key with another body (400 idempotency_error)', async () => {
    await stripe.customers.create({ name: 'First' }, { idempotencyKey: 'key-reused' });
    const error = await rejection(stripe.customers.create({ name: 'Second' }, { idempotencyKey: 'key-reused' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    fake.inject({ method: 'POST', path: '/v1/customers', delayMs: 300 });
    const slow = stripe.customers.create({ name: 'Slow' }, { idempotencyKey: 'key-running' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const error = await rejection(stripe.customers.create({ name: 'Slow' }, { idempotencyKey: 'key-running' }));
    expect([error.statusCode, error.code]).toEqual([409, 'idempotency_key_in_use']);
    expect((await slow).name).toBe('Slow');
  });

  it('forgets a key after 24 hours on the fake clock', async () => {
    const own = await startStripeFake({ now: NOW });
    const sdk = client(own);
    const first = await sdk.customers.create({ name: 'Day one' }, { idempotencyKey: 'key-day' });
    own.advance(DAY + 1000);
    const later = await sdk.customers.create({ name: 'Day one' }, { idempotencyKey: 'key-day' });
    expect(later.id).not.toBe(first.id);
    await own.close();
  });

  it('a POST without a key is a new effect each time', async () => {
    const raw = (name: string) =>
      fetch(`${fake.url}/v1/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `name=${name}`,
      }).then((response) => response.json() as Promise<{ id: string }>);
    const [one, two] = [await raw('Twice'), await raw('Twice')];
    expect(one.id).not.toBe(two.id);
  });
});

describe('validation against the spec', () => {
  it('answers 400 parameter_unknown for an unknown parameter and records it', async () => {
    const own = await startStripeFake({ now: NOW });
    const error = await rejection(client(own).customers.create({ nickname: 'x' } as Stripe.CustomerCreateParams));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([error.statusCode, error.code, error.param, error.message]).toEqual([
      400,
      'parameter_unknown',
      'nickname',
      'Received unknown parameter: nickname',
    ]);
    const nested = await rejection(
      client(own).subscriptions.create({ customer: 'cus_x', items: [{ price: 'p', colour: 'red' }] } as never),
    );
    expect(nested.param).toBe('items[0][colour]');
    const missing = await rejection(client(own).refunds.create({ amount: 'ten' } as never));
    expect(missing.code).toBe('parameter_invalid_integer');
    const unknownPath = await rejection(client(own).rawRequest('GET', '/v1/teleporters', {}));
    expect([unknownPath.statusCode, unknownPath.message]).toEqual([
      404,
      'Unrecognized request URL (GET: /v1/teleporters).',
    ]);
    expect(own.invalidRequests.map((request) => request.path)).toEqual([
      '/v1/customers',
      '/v1/subscriptions',
      '/v1/refunds',
      '/v1/teleporters',
    ]);
    await own.close();
  });

  it('answers 404 resource_missing for unknown ids', async () => {
    const error = await rejection(stripe.customers.update('cus_missing', { name: 'x' }));
    expect([error.statusCode, error.code, error.message]).toEqual([
      404,
      'resource_missing',
      "No such customer: 'cus_missing'",
    ]);
  });
});

describe('keys, permissions, faults and the rate limit', () => {
  it('accepts restricted keys only (401 otherwise)', async () => {
    const error = await rejection(client(fake, { key: 'sk_test_123456789012345678901234' }).customers.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await client(fake, { key: `rk_live_${'z'.repeat(24)}` }).customers.list({ limit: 1 });
  });

  it('answers a missing permission with a 403 naming the rak_* permission', async () => {
    const own = await startStripeFake({ now: NOW, missingPermissions: ['rak_refund_write'] });
    const error = await rejection(client(own).refunds.create({ charge: 'ch_x' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(missingPermissionOf(error.message)).toBe('rak_refund_write');
    await client(own).refunds.list();
    await own.close();
  });

  it.each([
    [403, Stripe.errors.StripePermissionError],
    [409, Stripe.errors.StripeAPIError],
    [429, Stripe.errors.StripeRateLimitError],
    [500, Stripe.errors.StripeAPIError],
    [502, Stripe.errors.StripeAPIError],
    [503, Stripe.errors.StripeAPIError],
  ] as const)('an injected %i reaches the SDK as %o', async (status, type) => {
    fake.inject({ method: 'GET', path: '/v1/charges', status });
    const error = await rejection(stripe.charges.list({ limit: 1 }));
    expect(error).toBeInstanceOf(type);
    expect(error.statusCode).toBe(status);
    await stripe.charges.list({ limit: 1 });
  });

  it('an afterEffect fault is a lost response: the effect happened, the retry with the key replays it', async () => {
    const { subscription } = await subscribed(stripe);
    const [charge] = (await stripe.charges.list({ customer: subscription.customer as string })).data;
    fake.inject({ method: 'POST', path: '/v1/refunds', status: 500, afterEffect: true });
    const lost = await rejection(
      stripe.refunds.create({ charge: charge?.id, amount: 500 }, { idempotencyKey: 'refund-1' }),
    );
    expect(lost).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await stripe.charges.retrieve(charge?.id ?? '')).amount_refunded).toBe(500);
    const retry = await stripe.refunds.create({ charge: charge?.id, amount: 500 }, { idempotencyKey: 'refund-1' });
    expect(retry.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.objects('refund').filter((refund) => refund.charge === charge?.id)).toHaveLength(1);
    expect(
      fake.requests.filter((request) => request.idempotencyKey === 'refund-1').map((request) => request.status),
    ).toEqual([500, 200]);
  });

  it('an afterEffect fault also loses the answer of a replay', async () => {
    fake.inject({ method: 'POST', path: '/v1/products', status: 502, afterEffect: true, times: 2 });
    const first = await rejection(stripe.products.create({ name: 'Lost twice' }, { idempotencyKey: 'lost-twice' }));
    const second = await rejection(stripe.products.create({ name: 'Lost twice' }, { idempotencyKey: 'lost-twice' }));
    expect([first.statusCode, second.statusCode]).toEqual([502, 502]);
    const third = await stripe.products.create({ name: 'Lost twice' }, { idempotencyKey: 'lost-twice' });
    expect(third.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.objects('product').filter((product) => product.name === 'Lost twice')).toHaveLength(1);
  });

  it('a delay longer than the client timeout is a timeout; with afterEffect the effect happened', async () => {
    const impatient = client(fake, { timeout: 100 });
    fake.inject({ method: 'POST', path: '/v1/products', delayMs: 400, afterEffect: true });
    const error = await rejection(impatient.products.create({ name: 'Timed out' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(fake.objects('product').some((product) => product.name === 'Timed out')).toBe(true);
    fake.inject({ path: /^\/v1\/products$/, delayMs: 50 });
    expect((await impatient.products.create({ name: 'Just in time' })).name).toBe('Just in time');
  });

  it('rate-limits over the configured requests per second (429 rate_limit)', async () => {
    const own = await startStripeFake({ now: NOW, rateLimitPerSecond: 5 });
    const sdk = client(own);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => sdk.customers.list({ limit: 1 })));
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(6);
    const error = (refused[0] as PromiseRejectedResult).reason as Stripe.errors.StripeError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error.code).toBe('rate_limit');
    await new Promise((resolve) => setTimeout(resolve, 450));
    await sdk.customers.list({ limit: 1 });
    await own.close();
  });
});

describe('billing', () => {
  it('refunds up to the remainder, then answers 400 with Stripe’s wording', async () => {
    const { customer } = await subscribed(stripe, 3000);
    const [charge] = (await stripe.charges.list({ customer: customer.id })).data;
    const refund = await stripe.refunds.create({
      charge: charge?.id,
      amount: 1000,
      metadata: { leash_reason: 'outage' },
    });
    expect([refund.amount, refund.charge, refund.metadata?.leash_reason]).toEqual([1000, charge?.id, 'outage']);
    const error = await rejection(stripe.refunds.create({ charge: charge?.id, amount: 2500 }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.message).toBe('Refund amount ($25.00) is greater than unrefunded amount on charge ($20.00)');
    const rest = await stripe.refunds.create({ charge: charge?.id });
    expect(rest.amount).toBe(2000);
    const after = await stripe.charges.retrieve(charge?.id ?? '');
    expect([after.amount_refunded, after.refunded]).toEqual([3000, true]);
    expect((await stripe.refunds.list({ charge: charge?.id })).data).toHaveLength(2);
  });

  it('previews a mid-period plan change with Stripe’s proration numbers', async () => {
    const own = await startStripeFake({ now: NOW });
    const sdk = client(own);
    const { subscription, product } = await subscribed(sdk, 3000, 2);
    const bigger = await sdk.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 5000,
      recurring: { interval: 'month' },
    });
    const item = subscription.items.data[0] as Stripe.SubscriptionItem;
    const [start, end] = [item.current_period_start, item.current_period_end];
    own.advance(10 * DAY);
    const at = seconds(own.now());
    const share = (amount: number) => Math.round((amount * (end - at)) / (end - start));
    const preview = await sdk.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: { items: [{ id: item.id, price: bigger.id }], proration_date: at },
    });
    const lines = preview.lines.data.map((line) => ({
      amount: line.amount,
      proration: line.parent?.subscription_item_details?.proration,
      price: line.pricing?.price_details?.price,
      period: [line.period.start, line.period.end],
    }));
    expect(lines).toEqual([
      { amount: -share(6000), proration: true, price: item.price.id, period: [at, end] },
      { amount: share(10000), proration: true, price: bigger.id, period: [at, end] },
      { amount: 10000, proration: false, price: bigger.id, period: [end, expect.any(Number)] },
    ]);
    expect(preview.total).toBe(share(10000) - share(6000) + 10000);
    // A preview changes nothing; always_invoice then bills exactly the proration.
    expect((await sdk.subscriptions.retrieve(subscription.id)).items.data[0]?.price.id).toBe(item.price.id);
    const changed = await sdk.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: bigger.id }],
      proration_behavior: 'always_invoice',
      proration_date: at,
    });
    const invoice = await sdk.invoices.retrieve(changed.latest_invoice as string, { expand: ['payments'] });
    expect([invoice.status, invoice.billing_reason, invoice.amount_paid]).toEqual([
      'paid',
      'subscription_update',
      share(10000) - share(6000),
    ]);
    expect(invoice.payments?.data[0]?.payment.type).toBe('payment_intent');
    await own.close();
  });

  it('a downgrade billed now credits the customer balance and pays the invoice with 0', async () => {
    const { subscription, product, customer } = await subscribed(stripe, 5000);
    const smaller = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
    });
    const changed = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]?.id, price: smaller.id }],
      proration_behavior: 'always_invoice',
    });
    const invoice = await stripe.invoices.retrieve(changed.latest_invoice as string);
    expect(invoice.total).toBeLessThan(0);
    expect([invoice.status, invoice.amount_paid, invoice.ending_balance]).toEqual(['paid', 0, invoice.total]);
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).balance).toBe(invoice.total);
  });

  it('invoices: draft, items, finalize with credit, declined card, pay out of band, void, credit notes', async () => {
    const customer = await stripe.customers.create({
      name: 'Declines',
      payment_method: 'pm_card_visa',
      metadata: { fake_card: 'declined' },
    });
    const credit = await stripe.customers.createBalanceTransaction(customer.id, {
      amount: -500,
      currency: 'usd',
      description: 'Goodwill',
    });
    expect([credit.ending_balance, credit.amount]).toEqual([-500, -500]);
    const draft = await stripe.invoices.create({
      customer: customer.id,
      currency: 'usd',
      collection_method: 'send_invoice',
      days_until_due: 14,
      description: 'Consulting',
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 12000,
      currency: 'usd',
      description: 'Setup',
    });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      unit_amount_decimal: Stripe.Decimal.from('1500'),
      quantity: 2,
      currency: 'usd',
      description: 'Hours',
    });
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    expect([open.status, open.total, open.starting_balance, open.amount_due, open.number]).toEqual([
      'open',
      15000,
      -500,
      14500,
      expect.stringMatching(/^[A-Z0-9]{8}-0001$/),
    ]);
    expect(open.due_date).toBe(seconds(fake.now()) + 14 * 86_400);
    const declined = await rejection(stripe.invoices.pay(open.id));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined.code).toBe('card_declined');
    const failed = (await stripe.charges.list({ customer: customer.id })).data[0];
    expect([failed?.status, failed?.failure_code]).toEqual(['failed', 'card_declined']);
    expect((await stripe.invoices.retrieve(open.id)).attempt_count).toBe(1);
    const note = await stripe.creditNotes.create({
      invoice: open.id,
      amount: 2000,
      reason: 'order_change',
      memo: 'Setup discount',
    });
    expect([note.amount, note.memo, note.customer]).toEqual([2000, 'Setup discount', customer.id]);
    expect((await stripe.invoices.retrieve(open.id)).amount_due).toBe(12500);
    const tooMuch = await rejection(stripe.creditNotes.create({ invoice: open.id, amount: 13001 }));
    expect(tooMuch.statusCode).toBe(400);
    const paid = await stripe.invoices.pay(open.id, { paid_out_of_band: true });
    expect([paid.status, paid.amount_remaining]).toEqual(['paid', 0]);
    const other = await stripe.invoices.create({
      customer: customer.id,
      currency: 'usd',
      collection_method: 'send_invoice',
      days_until_due: 7,
    });
    await stripe.invoiceItems.create({ customer: customer.id, invoice: other.id, amount: 900, currency: 'usd' });
    await stripe.invoices.finalizeInvoice(other.id);
    expect((await stripe.invoices.sendInvoice(other.id)).status).toBe('open');
    expect((await stripe.invoices.voidInvoice(other.id)).status).toBe('void');
    expect((await stripe.creditNotes.list({ invoice: open.id })).data).toHaveLength(1);
    expect((await stripe.customers.listBalanceTransactions(customer.id)).data.map((entry) => entry.type)).toEqual([
      'applied_to_invoice',
      'adjustment',
    ]);
  });

  it('subscriptions: trial, discounts, cancel at period end, cancel now', async () => {
    const { customer, price } = await subscribed(stripe, 2000);
    await stripe.coupons.create({
      id: 'HALF',
      percent_off: 50,
      duration: 'repeating',
      duration_in_months: 3,
      name: 'Half',
    });
    const trial = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 14,
      discounts: [{ coupon: 'HALF' }],
      expand: ['discounts'],
    });
    expect(trial.status).toBe('trialing');
    expect(trial.trial_end).toBe(seconds(fake.now()) + 14 * 86_400);
    const discount = trial.discounts[0] as Stripe.Discount;
    expect([discount.source.coupon, discount.source.type]).toEqual(['HALF', 'coupon']);
    const renewal = await stripe.invoices.createPreview({ subscription: trial.id });
    expect([renewal.subtotal, renewal.total]).toEqual([2000, 1000]);
    await stripe.subscriptions.deleteDiscount(trial.id);
    expect((await stripe.subscriptions.retrieve(trial.id)).discounts).toEqual([]);
    const ending = await stripe.subscriptions.update(trial.id, {
      cancel_at_period_end: true,
      cancellation_details: { comment: 'Too expensive' },
    });
    expect([ending.cancel_at_period_end, ending.cancellation_details?.comment]).toEqual([true, 'Too expensive']);
    fake.inject({ method: 'DELETE', path: '/v1/subscriptions/{subscription_exposed_id}', status: 503 });
    expect((await rejection(stripe.subscriptions.cancel(trial.id))).statusCode).toBe(503);
    const canceled = await stripe.subscriptions.cancel(trial.id, { cancellation_details: { comment: 'Moving on' } });
    expect([canceled.status, canceled.ended_at, canceled.cancellation_details?.comment]).toEqual([
      'canceled',
      seconds(fake.now()),
      'Moving on',
    ]);
    const live = await stripe.subscriptions.list({ customer: customer.id });
    const every = await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
    expect([live.data.length, every.data.length]).toEqual([1, 2]);
  });
});

describe('events and webhooks', () => {
  it('records each change as an event with the object after it and the request', async () => {
    const own = await startStripeFake({ now: NOW });
    const sdk = client(own);
    const customer = await sdk.customers.create({ name: 'Before' }, { idempotencyKey: 'create-evt' });
    await sdk.customers.update(customer.id, { name: 'After' });
    const events = await sdk.events.list({ type: 'customer.*' });
    expect(events.data.map((event) => event.type)).toEqual(['customer.updated', 'customer.created']);
    const [updated, created] = events.data as [Stripe.Event, Stripe.Event];
    expect((updated.data.object as Stripe.Customer).name).toBe('After');
    expect(updated.data.previous_attributes).toEqual({ name: 'Before' });
    expect(created.request?.idempotency_key).toBe('create-evt');
    expect((await sdk.events.list({ types: ['customer.created'] })).data).toHaveLength(1);
    own.advance(31 * DAY);
    expect((await sdk.events.list()).data).toHaveLength(0);
    await own.close();
  });

  it('signs webhooks that stripe.webhooks.constructEvent accepts', () => {
    const event = fake.objects('event')[0] as object;
    const { payload, header } = fake.signedWebhook(event);
    const verified = stripe.webhooks.constructEvent(payload, header, fake.webhookSecret);
    expect(verified.id).toBe((event as { id: string }).id);
    const forged = fake.signedWebhook(event, { secret: 'whsec_other' });
    expect(() => stripe.webhooks.constructEvent(forged.payload, forged.header, fake.webhookSecret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const stale = fake.signedWebhook(event, { timestamp: seconds(new Date()) - 3600 });
    expect(() => stripe.webhooks.constructEvent(stale.payload, stale.header, fake.webhookSecret)).toThrow(/tolerance/);
  });
});

describe('a Leash ledger org copied into the fake', () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let copy: StripeFake;
  beforeAll(async () => {
    fixture = await openLeashFixture();
    const endAt = new Date('2026-02-01T00:00:00Z');
    await generateDemo(fixture.store, { orgId: fixture.orgId, customers: 40, months: 8, seed: 'stripe-fake', endAt });
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    copy = await startStripeFake({ now: await ledger.now() });
    await copy.seedFromLedger(ledger);
  }, 120_000);
  afterAll(async () => {
    await copy?.close();
    await fixture?.close();
  });

  it('has the same objects, by id, as the ledger', async () => {
    const sdk = client(copy);
    const count = async <T>(list: { autoPagingToArray(options: { limit: number }): Promise<T[]> }) =>
      (await list.autoPagingToArray({ limit: 10_000 })).length;
    expect(await count(sdk.customers.list({ limit: 100 }))).toBe((await ledger.findCustomers({ limit: 1000 })).length);
    expect(await count(sdk.subscriptions.list({ limit: 100, status: 'all' }))).toBe(
      await ledger.countSubscriptions({}),
    );
    expect(await count(sdk.invoices.list({ limit: 100 }))).toBe(await ledger.countInvoices({}));
    expect(await count(sdk.charges.list({ limit: 100 }))).toBe((await ledger.listCharges({ limit: 1000 })).length);
    expect(await count(sdk.refunds.list({ limit: 100 }))).toBe((await ledger.listRefunds({})).length);
    expect(await count(sdk.products.list({ limit: 100 }))).toBe((await ledger.listProducts()).length);
    expect(await count(sdk.prices.list({ limit: 100 }))).toBe((await ledger.listPrices()).length);
    expect(await count(sdk.coupons.list({ limit: 100 }))).toBe((await ledger.listCoupons()).length);
  });

  it('keeps invoice totals, lines and payments as the ledger has them', async () => {
    const sdk = client(copy);
    const invoices = await ledger.listInvoices({ limit: 1000 });
    const discounted = invoices.find((invoice) => invoice.discount > 0 && invoice.subscriptionId) ?? invoices[0];
    for (const invoice of [discounted, invoices.find((candidate) => candidate.creditApplied > 0)]) {
      if (!invoice) continue;
      const stripeInvoice = await sdk.invoices.retrieve(invoice.id, { expand: ['payments'] });
      const discount = stripeInvoice.total_discount_amounts?.reduce((sum, entry) => sum + entry.amount, 0) ?? 0;
      const tax = stripeInvoice.total_taxes?.reduce((sum, entry) => sum + entry.amount, 0) ?? 0;
      expect({
        number: stripeInvoice.number,
        status: stripeInvoice.status,
        subtotal: stripeInvoice.subtotal,
        discount,
        tax,
        total: stripeInvoice.total,
        creditApplied: stripeInvoice.total - stripeInvoice.amount_due,
        amountPaid: stripeInvoice.amount_paid,
        amountRemaining: stripeInvoice.amount_remaining,
        subscription: stripeInvoice.parent?.subscription_details?.subscription ?? null,
        lines: stripeInvoice.lines.data.map((line) => [line.amount, line.pricing?.price_details?.price ?? null]),
      }).toEqual({
        number: invoice.number,
        status: invoice.status,
        subtotal: invoice.subtotal,
        discount: invoice.discount,
        tax: invoice.tax,
        total: invoice.total,
        creditApplied: invoice.creditApplied,
        amountPaid: invoice.amountPaid,
        amountRemaining: invoice.amountRemaining,
        subscription: invoice.subscriptionId,
        lines: invoice.lines.map((line) => [line.amount, line.priceId]),
      });
      const charges = await ledger.listCharges({ invoiceId: invoice.id });
      const intents = (stripeInvoice.payments?.data ?? []).map((payment) => payment.payment.payment_intent);
      const stripeCharges = await Promise.all(charges.map((charge) => sdk.charges.retrieve(charge.id)));
      expect(stripeCharges.map((charge) => charge.payment_intent).sort()).toEqual([...intents].sort());
    }
  });

  it('writes the conventions the connector reads', async () => {
    const sdk = client(copy);
    const [customer] = await ledger.findCustomers({ limit: 1 });
    const stripeCustomer = (await sdk.customers.retrieve(customer?.id ?? '', {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect([stripeCustomer.address?.country, stripeCustomer.currency, stripeCustomer.balance]).toEqual([
      customer?.country,
      customer?.currency,
      customer?.balance,
    ]);
    if (customer?.paymentMethod)
      expect((stripeCustomer.invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe(
        customer.paymentMethod.last4,
      );
    const [product] = await ledger.listProducts();
    const stripeProduct = await sdk.products.retrieve(product?.id ?? '');
    expect(JSON.parse(stripeProduct.metadata.leash_limits ?? '{}')).toEqual(product?.limits);
    const [coupon] = await ledger.listCoupons();
    const stripeCoupon = await sdk.coupons.retrieve(coupon?.id ?? '');
    expect(stripeCoupon.metadata?.leash_code).toBe(coupon?.code);
    const [subscription] = await ledger.listSubscriptions({ live: true, limit: 1 });
    const stripeSubscription = await sdk.subscriptions.retrieve(subscription?.id ?? '');
    expect(
      stripeSubscription.items.data.map((item) => [item.price.id, item.quantity, item.current_period_end]),
    ).toEqual(subscription?.items.map((item) => [item.priceId, item.quantity, seconds(subscription.currentPeriodEnd)]));
  });

  it('caps the copy to the first customers and what depends on them', async () => {
    const capped = await startStripeFake({ now: await ledger.now() });
    await capped.seedFromLedger(ledger, { customers: 5 });
    const customers = new Set(capped.objects('customer').map((customer) => customer.id));
    expect(customers.size).toBe(5);
    expect(capped.objects('invoice').every((invoice) => customers.has(invoice.customer))).toBe(true);
    expect(capped.objects('charge').every((charge) => customers.has(charge.customer))).toBe(true);
    await capped.close();
  });
});
