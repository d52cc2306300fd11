/**
 * Opt-in: the Stripe connector against a real Stripe test account. Set STRIPE_TEST_KEY to a restricted test key
 * (rk_test_…) with the permissions `leash connect stripe --help` lists, plus PaymentIntents write (the suite makes
 * a card payment with Stripe's `pm_card_visa` to have something to refund). Without it the suite is skipped and
 * says so. It creates a customer, a product, a price, a payment and a refund in the test account; nothing else.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../../src/connectors/stripe/mirror-store.ts';
import { DEFAULT_RETRY, Pacer, STRIPE_RATE_LIMITS } from '../../src/connectors/stripe/stripe-calls.ts';
import { stripeClient } from '../../src/connectors/stripe/stripe-client.ts';
import { type StripeAccess, StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { connectStripe } from '../../src/operations/integrations.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { accessSource } from '../support/stripe-access.ts';

const key = process.env.STRIPE_TEST_KEY;
if (!key)
  console.info(
    '[stripe-live] STRIPE_TEST_KEY is not set: the suite against a real Stripe test account is skipped (the offline fake suites ran).',
  );

describe.skipIf(!key)('Stripe connector against a real Stripe test account (STRIPE_TEST_KEY)', () => {
  let fixture: LeashFixture;
  let access: StripeAccess;
  let stripe: StripeConnector;
  const run = randomBytes(4).toString('hex');

  beforeAll(async () => {
    if (!key?.startsWith('rk_test_')) throw new Error('STRIPE_TEST_KEY must be a restricted test key (rk_test_…)');
    fixture = await openLeashFixture();
    access = {
      stripe: stripeClient(key, {}),
      calls: { pacer: new Pacer(STRIPE_RATE_LIMITS.test), retry: DEFAULT_RETRY },
    };
    stripe = new StripeConnector(fixture.store.db, fixture.orgId, accessSource(access));
  }, 60_000);
  afterAll(async () => fixture?.close());

  it('accepts the key: every permission Leash needs is there', async () => {
    const result = await connectStripe(fixture.store.db, {
      member: await fixture.member(OWNER),
      key: key as string,
      masterKey: randomBytes(32),
      env: {},
    });
    expect(result.integration.mode).toBe('test');
    expect(result.report.missing).toEqual([]);
  }, 60_000);

  it('creates a customer and a catalogue entry through Stripe and reads them back from the mirror', async () => {
    const customer = await stripe.createCustomer(
      { name: `Leash live ${run}`, email: `live-${run}@example.com`, country: 'US', currency: 'usd' },
      { idempotencyKey: `leash_live_${run}_customer` },
    );
    expect((await stripe.getCustomer(customer.id))?.email).toBe(`live-${run}@example.com`);
    const product = await stripe.createProduct(
      { name: `Leash live plan ${run}`, limits: { seats: 5 } },
      { idempotencyKey: `leash_live_${run}_product` },
    );
    expect((await stripe.getProduct(product.id))?.limits).toEqual({ seats: 5 });
    const price = await stripe.createPrice(
      { productId: product.id, currency: 'usd', interval: 'month', scheme: 'per_unit', unitAmount: 1_900 },
      { idempotencyKey: `leash_live_${run}_price` },
    );
    expect((await stripe.getPrice(price.id))?.unitAmount).toBe(1_900);
  }, 60_000);

  it('refunds a real test payment once, whatever the retries', async () => {
    const [customer] = await stripe.findCustomers({ email: `live-${run}@example.com`, limit: 1 });
    if (!customer) throw new Error('the customer of the previous test is missing');
    const intent = await access.stripe.paymentIntents.create({
      amount: 2_500,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const charges = await access.stripe.charges.list({ payment_intent: intent.id, limit: 1 });
    await applyObjects(fixture.store.db, fixture.orgId, 'charge', charges.data as never);
    const chargeId = charges.data[0]?.id as string;
    const options = { idempotencyKey: `leash_live_${run}_refund` };
    const first = await stripe.refundCharge({ chargeId, amount: 1_000, reason: 'live suite' }, options);
    const again = await stripe.refundCharge({ chargeId, amount: 1_000, reason: 'live suite' }, options);
    expect(again.id).toBe(first.id);
    const refunds = await access.stripe.refunds.list({ charge: chargeId });
    expect(refunds.data).toHaveLength(1);
    expect((await stripe.getCharge(chargeId))?.amountRefunded).toBe(1_000);
  }, 60_000);
});
