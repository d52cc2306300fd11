/** The ledger through its connector on a real store (PGlite, or PostgreSQL in CI's second run). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, testStoreKind } from '../../../test/support/store.ts';
import { createOrg } from '../../auth/members.ts';
import { isLeashError } from '../../domain/errors.ts';
import type { Store } from '../../store/db.ts';
import { LedgerConnector } from './ledger-connector.ts';

const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };
let keyCounter = 0;
const key = () => ({ idempotencyKey: `test_${++keyCounter}` });

describe(`ledger connector (${testStoreKind})`, () => {
  let store: Store;
  let ledger: LedgerConnector;
  let orgId: string;

  beforeAll(async () => {
    store = await openTestStore();
    orgId = (await createOrg(store.db, { name: 'Ledger Test', ownerEmail: 'owner@ledger.test' })).org.id;
    ledger = new LedgerConnector(store.db, orgId);
    await ledger.setClock(new Date('2026-04-01T00:00:00Z'));
  });
  afterAll(async () => store.close());

  const plan = async (
    name: string,
    amount: number,
    currency: 'usd' | 'jpy' = 'usd',
    interval: 'month' | 'year' = 'month',
  ) => {
    const product = await ledger.createProduct({ name, limits: { seats: 3 } }, key());
    return ledger.createPrice({ productId: product.id, currency, interval, scheme: 'flat', unitAmount: amount }, key());
  };
  const paidCharge = async (amount: number) => {
    const customer = await ledger.createCustomer(
      { name: `Refund Co ${keyCounter}`, email: `r${keyCounter}@x.test`, country: 'US', currency: 'usd' },
      key(),
    );
    const draft = await ledger.createInvoice({ customerId: customer.id, lines: [{ description: 'x', amount }] }, key());
    const open = await ledger.finalizeInvoice({ invoiceId: draft.id }, key());
    return (await ledger.recordPayment({ invoiceId: open.id, amount: open.amountDue, reference: 'wire' }, key()))
      .charge;
  };

  it('partial refunds, then the remainder; never above it, and a refused refund changes nothing', async () => {
    const charge = await paidCharge(10_000);
    await ledger.refundCharge({ chargeId: charge.id, amount: 2_500, reason: 'partial' }, key());
    const rest = await ledger.refundCharge({ chargeId: charge.id, reason: 'rest' }, key());
    expect(rest.amount).toBe(7_500);
    const error = await ledger
      .refundCharge({ chargeId: charge.id, amount: 1, reason: 'too much' }, key())
      .catch((caught: unknown) => caught);
    expect(isLeashError(error)).toBe(true);
    expect((await ledger.getCharge(charge.id))?.amountRefunded).toBe(10_000);
    expect(await ledger.listRefunds({ chargeId: charge.id })).toHaveLength(2);
  });

  it('refund above the remainder is rejected', async () => {
    const charge = await paidCharge(5_000);
    const error = await ledger
      .refundCharge({ chargeId: charge.id, amount: 5_001, reason: 'x' }, key())
      .catch((caught: unknown) => caught);
    expect(isLeashError(error, 'invalid_state')).toBe(true);
    expect((await ledger.getCharge(charge.id))?.amountRefunded).toBe(0);
  });

  it('two concurrent refunds of the same charge never exceed it', async () => {
    const charge = await paidCharge(6_000);
    const results = await Promise.allSettled([
      ledger.refundCharge({ chargeId: charge.id, amount: 4_000, reason: 'a' }, key()),
      ledger.refundCharge({ chargeId: charge.id, amount: 4_000, reason: 'b' }, key()),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await ledger.getCharge(charge.id))?.amountRefunded).toBe(4_000);
  });

  it('an idempotency key replays its first answer and refuses a different request', async () => {
    const charge = await paidCharge(3_000);
    const options = key();
    const first = await ledger.refundCharge({ chargeId: charge.id, amount: 1_000, reason: 'x' }, options);
    const again = await ledger.refundCharge({ chargeId: charge.id, amount: 1_000, reason: 'x' }, options);
    expect(again.id).toBe(first.id);
    expect((await ledger.getCharge(charge.id))?.amountRefunded).toBe(1_000);
    const conflict = await ledger
      .refundCharge({ chargeId: charge.id, amount: 2_000, reason: 'x' }, options)
      .catch((caught: unknown) => caught);
    expect(isLeashError(conflict, 'conflict')).toBe(true);
  });

  it('subscribes, upgrades mid-period with exact proration, and renews on the clock', async () => {
    const basic = await plan('Basic', 3_000);
    const pro = await plan('Pro', 9_000);
    const customer = await ledger.createCustomer(
      { name: 'Proration Inc', email: 'p@x.test', country: 'US', currency: 'usd', paymentMethod: card },
      key(),
    );
    const subscription = await ledger.createSubscription(
      { customerId: customer.id, items: [{ priceId: basic.id }] },
      key(),
    );
    expect(subscription.status).toBe('active');
    expect(subscription.currentPeriodEnd.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    await ledger.advanceClock(new Date('2026-04-16T00:00:00Z'));
    const preview = await ledger.previewPlanChange({ subscriptionId: subscription.id, priceId: pro.id });
    expect(preview.lines.map((line) => line.amount)).toEqual([-1_500, 4_500]);
    const { invoice } = await ledger.changePlan({ subscriptionId: subscription.id, priceId: pro.id }, key());
    expect(invoice?.total).toBe(3_000);
    const report = await ledger.advanceClock(new Date('2026-05-02T00:00:00Z'));
    expect(report.subscriptionsRenewed).toBeGreaterThanOrEqual(1);
    const invoices = await ledger.listInvoices({ customerId: customer.id });
    expect(invoices[0]).toMatchObject({ billingReason: 'subscription_cycle', total: 9_000 });
    expect(invoices.map((item) => item.number)).toEqual([...invoices.map((item) => item.number)].sort().reverse());
  });

  it('coupons: percent once, restricted by country, removed', async () => {
    const price = await plan('Coupon plan', 10_000);
    const india = await ledger.createCoupon(
      { code: 'INDIA40', name: 'India', percentOffBps: 4_000, duration: 'forever', countries: ['IN'] },
      key(),
    );
    const summer = await ledger.createCoupon(
      { code: 'SUMMER20', name: 'Summer', percentOffBps: 2_000, duration: 'once' },
      key(),
    );
    const customer = await ledger.createCustomer(
      { name: 'Coupon LLC', email: 'c@x.test', country: 'US', currency: 'usd', paymentMethod: card },
      key(),
    );
    const subscription = await ledger.createSubscription(
      { customerId: customer.id, items: [{ priceId: price.id }] },
      key(),
    );
    const refused = await ledger
      .applyCoupon({ subscriptionId: subscription.id, couponId: india.id }, key())
      .catch((caught: unknown) => caught);
    expect(isLeashError(refused, 'invalid_state')).toBe(true);
    await ledger.applyCoupon({ subscriptionId: subscription.id, couponId: 'summer20' }, key());
    await ledger.advanceClock(new Date(subscription.createdAt.getTime() + 62 * 86_400_000));
    const invoices = (await ledger.listInvoices({ subscriptionId: subscription.id })).sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
    );
    expect(invoices.map((invoice) => invoice.discount)).toEqual([0, 2_000, 0]);
    expect((await ledger.getCoupon(summer.id))?.timesRedeemed).toBe(1);
    const removed = await ledger.removeCoupon({ subscriptionId: subscription.id }, key());
    expect(removed.couponId).toBeNull();
  });

  it('a balance credit pays down the next invoice', async () => {
    const customer = await ledger.createCustomer(
      { name: 'Credit Ltd', email: 'cr@x.test', country: 'GB', currency: 'gbp' },
      key(),
    );
    await ledger.creditCustomer(
      { customerId: customer.id, amount: 1_500, currency: 'gbp', description: 'goodwill' },
      key(),
    );
    const wrong = await ledger
      .creditCustomer({ customerId: customer.id, amount: 100, currency: 'usd', description: 'x' }, key())
      .catch((caught: unknown) => caught);
    expect(isLeashError(wrong, 'bad_input')).toBe(true);
    const draft = await ledger.createInvoice(
      { customerId: customer.id, lines: [{ description: 'x', amount: 1_000 }] },
      key(),
    );
    const open = await ledger.finalizeInvoice({ invoiceId: draft.id }, key());
    // GB VAT 20%: 10.00 + 2.00 = 12.00, all paid by the 15.00 credit.
    expect(open).toMatchObject({ total: 1_200, creditApplied: 1_200, amountDue: 0, status: 'paid' });
    expect((await ledger.getCustomer(customer.id))?.balance).toBe(-300);
  });

  it('zero-decimal JPY end to end', async () => {
    const price = await plan('JP plan', 4_350, 'jpy');
    const customer = await ledger.createCustomer(
      {
        name: 'Tokyo KK',
        email: 'jp@x.test',
        country: 'JP',
        currency: 'jpy',
        paymentMethod: { ...card, country: 'JP' },
      },
      key(),
    );
    await ledger.createSubscription({ customerId: customer.id, items: [{ priceId: price.id }] }, key());
    const [invoice] = await ledger.listInvoices({ customerId: customer.id });
    expect(invoice).toMatchObject({ currency: 'jpy', subtotal: 4_350, tax: 435, total: 4_785 });
  });

  it('trials end on the clock; an expired card goes through dunning to involuntary cancellation', async () => {
    const price = await plan('Trial plan', 2_000);
    await ledger.executorForWrites().updateTable('prices').set({ trialDays: 14 }).where('id', '=', price.id).execute();
    const expired = { ...card, expMonth: 1, expYear: 2026 };
    const customer = await ledger.createCustomer(
      { name: 'Expired Card Co', email: 'e@x.test', country: 'US', currency: 'usd', paymentMethod: expired },
      key(),
    );
    const subscription = await ledger.createSubscription(
      { customerId: customer.id, items: [{ priceId: price.id }] },
      key(),
    );
    expect(subscription.status).toBe('trialing');
    const now = await ledger.now();
    await ledger.advanceClock(new Date(now.getTime() + 15 * 86_400_000));
    expect((await ledger.getSubscription(subscription.id))?.status).toBe('past_due');
    await ledger.advanceClock(new Date(now.getTime() + 40 * 86_400_000));
    const ended = await ledger.getSubscription(subscription.id);
    expect(ended).toMatchObject({ status: 'canceled', cancellationReason: 'payment_failed' });
    const charges = await ledger.listCharges({ customerId: customer.id });
    expect(charges.map((charge) => charge.failureCode)).toEqual([
      'expired_card',
      'expired_card',
      'expired_card',
      'expired_card',
    ]);
    const [invoice] = await ledger.listInvoices({ customerId: customer.id });
    expect(invoice?.status).toBe('uncollectible');
  });

  it('dunning recovers when the card is updated', async () => {
    const price = await plan('Recover plan', 2_000);
    const customer = await ledger.createCustomer(
      {
        name: 'Recovering Co',
        email: 'rec@x.test',
        country: 'US',
        currency: 'usd',
        paymentMethod: { ...card, expMonth: 1, expYear: 2026 },
      },
      key(),
    );
    const subscription = await ledger.createSubscription(
      { customerId: customer.id, items: [{ priceId: price.id }] },
      key(),
    );
    expect(subscription.status).toBe('past_due');
    await ledger.updateCustomer({ customerId: customer.id, paymentMethod: card }, key());
    await ledger.advanceClock(new Date((await ledger.now()).getTime() + 4 * 86_400_000));
    const charges = await ledger.listCharges({ customerId: customer.id });
    expect(charges[0]?.status).toBe('succeeded');
    expect((await ledger.getSubscription(subscription.id))?.status).toBe('active');
  });

  it("another org's records are invisible", async () => {
    const charge = await paidCharge(1_000);
    const other = new LedgerConnector(
      store.db,
      (await createOrg(store.db, { name: 'Other', ownerEmail: 'o@other.test' })).org.id,
    );
    expect(await other.getCharge(charge.id)).toBeUndefined();
    const error = await other
      .refundCharge({ chargeId: charge.id, reason: 'x' }, key())
      .catch((caught: unknown) => caught);
    expect(isLeashError(error, 'not_found')).toBe(true);
  });

  it('the clock only moves forward', async () => {
    const error = await ledger.advanceClock(new Date('2020-01-01T00:00:00Z')).catch((caught: unknown) => caught);
    expect(isLeashError(error, 'bad_input')).toBe(true);
  });
});
