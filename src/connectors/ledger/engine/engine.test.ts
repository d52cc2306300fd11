import { describe, expect, it } from 'vitest';
import type { Coupon, Customer, Price } from '../../../domain/billing.ts';
import { sequentialIdFactory } from '../../../domain/ids.ts';
import {
  addInterval,
  attemptPayment,
  couponDiscount,
  invoiceTotals,
  issueInvoice,
  nextPeriodEnd,
  prorate,
  simulatePayment,
  tieredAmount,
} from './index.ts';

const at = (iso: string) => new Date(iso);
const price = (fields: Partial<Price>): Price => ({
  id: 'price_x',
  orgId: 'org_1',
  productId: 'prod_x',
  nickname: '',
  currency: 'usd',
  interval: 'month',
  scheme: 'flat',
  unitAmount: 3_000,
  tiers: [],
  usageMetric: null,
  freeAllowance: 0,
  trialDays: 0,
  active: true,
  createdAt: at('2026-01-01T00:00:00Z'),
  ...fields,
});
const customer = (fields: Partial<Customer> = {}): Customer => ({
  id: 'cus_1',
  orgId: 'org_1',
  name: 'Acme Corp',
  email: 'a@acme.test',
  country: 'US',
  address: {},
  metadata: {},
  currency: 'usd',
  balance: 0,
  paymentMethod: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, country: 'US' },
  taxRateBps: 0,
  createdAt: at('2026-01-01T00:00:00Z'),
  deletedAt: null,
  ...fields,
});
const coupon = (fields: Partial<Coupon>): Coupon => ({
  id: 'co_1',
  orgId: 'org_1',
  code: 'X',
  name: 'x',
  percentOffBps: null,
  amountOff: null,
  currency: null,
  duration: 'once',
  durationInMonths: null,
  countries: [],
  maxRedemptions: null,
  timesRedeemed: 0,
  valid: true,
  createdAt: at('2026-01-01T00:00:00Z'),
  ...fields,
});

describe('periods', () => {
  it.each([
    ['2026-01-31T00:00:00Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2026-01-31T00:00:00Z', 2, '2026-03-31T00:00:00.000Z'],
    ['2028-01-31T00:00:00Z', 1, '2028-02-29T00:00:00.000Z'],
    ['2026-11-15T10:30:00Z', 2, '2027-01-15T10:30:00.000Z'],
    ['2026-03-31T00:00:00Z', -1, '2026-02-28T00:00:00.000Z'],
  ])('%s plus %i month(s) is %s (the anchor day is kept, clamped)', (from, months, expected) => {
    expect(addInterval(at(from), 'month', months).toISOString()).toBe(expected);
  });
  it('annual periods from Feb 29 land on Feb 28, then Feb 29 again in a leap year', () => {
    expect(addInterval(at('2028-02-29T00:00:00Z'), 'year', 1).toISOString()).toBe('2029-02-28T00:00:00.000Z');
    expect(addInterval(at('2028-02-29T00:00:00Z'), 'year', 4).toISOString()).toBe('2032-02-29T00:00:00.000Z');
  });
  it('the next period end counts from the anchor, so Jan 31 renews Feb 28 then Mar 31', () => {
    const anchor = at('2026-01-31T00:00:00Z');
    expect(nextPeriodEnd(anchor, 'month', at('2026-02-28T00:00:00Z')).toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });
});

describe('proration', () => {
  it('an upgrade halfway through a 30-day month credits half the old price and charges half the new one', () => {
    const result = prorate({
      from: price({ id: 'price_basic', unitAmount: 2_900 }),
      fromQuantity: 1,
      to: price({ id: 'price_pro', unitAmount: 9_900 }),
      toQuantity: 1,
      periodStart: at('2026-04-01T00:00:00Z'),
      periodEnd: at('2026-05-01T00:00:00Z'),
      at: at('2026-04-16T00:00:00Z'),
      fromName: 'Basic',
      toName: 'Pro',
    });
    expect(result.lines.map((line) => line.amount)).toEqual([-1_450, 4_950]);
    expect(result.restartsPeriod).toBe(false);
  });
  it('rounds each line half away from zero, per second', () => {
    // 1/3 of a 30-day period remains: 2,900 × 1/3 = 966.67 → 967; 9,900 × 1/3 = 3,300.
    const result = prorate({
      from: price({ unitAmount: 2_900 }),
      fromQuantity: 1,
      to: price({ id: 'price_pro', unitAmount: 9_900 }),
      toQuantity: 1,
      periodStart: at('2026-04-01T00:00:00Z'),
      periodEnd: at('2026-05-01T00:00:00Z'),
      at: at('2026-04-21T00:00:00Z'),
      fromName: 'a',
      toName: 'b',
    });
    expect(result.lines.map((line) => line.amount)).toEqual([-967, 3_300]);
  });
  it('a downgrade nets to a credit', () => {
    const result = prorate({
      from: price({ unitAmount: 9_900 }),
      fromQuantity: 1,
      to: price({ id: 'price_basic', unitAmount: 2_900 }),
      toQuantity: 1,
      periodStart: at('2026-04-01T00:00:00Z'),
      periodEnd: at('2026-05-01T00:00:00Z'),
      at: at('2026-04-16T00:00:00Z'),
      fromName: 'a',
      toName: 'b',
    });
    expect(result.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(-3_500);
  });
  it('monthly to annual restarts the period: credit the unused month, charge the whole year', () => {
    const result = prorate({
      from: price({ unitAmount: 2_900 }),
      fromQuantity: 1,
      to: price({ id: 'price_year', interval: 'year', unitAmount: 29_000 }),
      toQuantity: 1,
      periodStart: at('2026-04-01T00:00:00Z'),
      periodEnd: at('2026-05-01T00:00:00Z'),
      at: at('2026-04-16T00:00:00Z'),
      fromName: 'a',
      toName: 'b',
    });
    expect(result.lines.map((line) => line.amount)).toEqual([-1_450, 29_000]);
    expect(result.newPeriodEnd.toISOString()).toBe('2027-04-16T00:00:00.000Z');
  });
});

describe('pricing', () => {
  it('graduated tiers after a free allowance', () => {
    const tiers = [
      { upTo: 500, unitAmount: 50, flatAmount: 0 },
      { upTo: null, unitAmount: 30, flatAmount: 100 },
    ];
    expect(tieredAmount(tiers, 100, 100)).toBe(0);
    expect(tieredAmount(tiers, 600, 100)).toBe(500 * 50);
    expect(tieredAmount(tiers, 700, 100)).toBe(500 * 50 + 100 * 30 + 100);
  });
  it.each([
    ['20% of $29.00', coupon({ percentOffBps: 2_000 }), 2_900, 580],
    ['$5 off', coupon({ amountOff: 500, currency: 'usd' }), 2_900, 500],
    ['$50 off never below zero', coupon({ amountOff: 5_000, currency: 'usd' }), 2_900, 2_900],
    ['an amount in another currency does not apply', coupon({ amountOff: 500, currency: 'eur' }), 2_900, 0],
    ['12.5% rounds half away from zero', coupon({ percentOffBps: 1_250 }), 1_004, 126],
  ])('coupon %s', (_label, value, subtotal, expected) => {
    expect(couponDiscount(value, subtotal, 'usd')).toBe(expected);
  });
  it('tax is on the discounted amount: 19% of (100.00 − 20.00) = 15.20', () => {
    expect(invoiceTotals(10_000, 2_000, 1_900)).toEqual({
      subtotal: 10_000,
      discount: 2_000,
      tax: 1_520,
      total: 9_520,
    });
  });
  it('zero-decimal JPY: 10% tax on ¥4,350 is ¥435 (no fractions)', () => {
    expect(invoiceTotals(4_350, 0, 1_000)).toEqual({ subtotal: 4_350, discount: 0, tax: 435, total: 4_785 });
  });
});

describe('invoices and payments', () => {
  const clock = { newId: sequentialIdFactory('t'), now: at('2026-06-01T00:00:00Z') };
  it('applies the credit balance before charging, and a negative total becomes credit', () => {
    const issued = issueInvoice(clock, {
      customer: customer({ balance: -1_000 }),
      number: 'INV-1',
      subscriptionId: null,
      billingReason: 'manual',
      lines: [
        {
          description: 'x',
          amount: 2_500,
          quantity: 1,
          priceId: null,
          periodStart: null,
          periodEnd: null,
          proration: false,
        },
      ],
    });
    expect(issued.invoice).toMatchObject({ total: 2_500, creditApplied: 1_000, amountDue: 1_500, status: 'open' });
    expect(issued.customer.balance).toBe(0);
    const credit = issueInvoice(clock, {
      customer: customer(),
      number: 'INV-2',
      subscriptionId: null,
      billingReason: 'subscription_update',
      lines: [
        {
          description: 'x',
          amount: -3_500,
          quantity: 1,
          priceId: null,
          periodStart: null,
          periodEnd: null,
          proration: true,
        },
      ],
    });
    expect(credit.invoice).toMatchObject({ total: -3_500, amountDue: 0, status: 'paid' });
    expect(credit.customer.balance).toBe(-3_500);
  });
  it('payment simulation is deterministic and an expired card always fails', () => {
    const first = simulatePayment(customer(), 'in_1', 1, clock.now);
    expect(simulatePayment(customer(), 'in_1', 1, clock.now)).toEqual(first);
    const expired = customer({
      paymentMethod: { brand: 'visa', last4: '1', expMonth: 1, expYear: 2026, country: 'US' },
    });
    expect(simulatePayment(expired, 'in_1', 1, clock.now)).toMatchObject({ ok: false, code: 'expired_card' });
  });
  it("Stripe's test card endings always give their outcome, whatever the region's failure rate", () => {
    const withCard = (last4: string, country: string) =>
      customer({
        id: `cus_${last4}_${country}`,
        country,
        paymentMethod: { brand: 'visa', last4, expMonth: 12, expYear: 2035, country },
      });
    for (const country of ['US', 'BR', 'IN']) {
      for (let attempt = 1; attempt <= 200; attempt++)
        expect(simulatePayment(withCard('4242', country), `in_${attempt}`, 1, clock.now)).toEqual({ ok: true });
      expect(simulatePayment(withCard('0002', country), 'in_1', 1, clock.now)).toMatchObject({ code: 'card_declined' });
      expect(simulatePayment(withCard('9995', country), 'in_1', 1, clock.now)).toMatchObject({
        code: 'insufficient_funds',
      });
      expect(simulatePayment(withCard('0019', country), 'in_1', 1, clock.now)).toMatchObject({ code: 'fraudulent' });
    }
  });
  it('dunning: retries at +3, +5, +7 days, then uncollectible', () => {
    const expired = customer({
      paymentMethod: { brand: 'visa', last4: '1', expMonth: 1, expYear: 2026, country: 'US' },
    });
    let invoice = issueInvoice(clock, {
      customer: expired,
      number: 'INV-3',
      subscriptionId: 'sub_1',
      billingReason: 'subscription_cycle',
      lines: [
        {
          description: 'x',
          amount: 2_900,
          quantity: 1,
          priceId: null,
          periodStart: null,
          periodEnd: null,
          proration: false,
        },
      ],
    }).invoice;
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const result = attemptPayment(clock, invoice, expired);
      if (result.invoice.nextPaymentAttempt)
        gaps.push((result.invoice.nextPaymentAttempt.getTime() - clock.now.getTime()) / 86_400_000);
      invoice = result.invoice;
      if (attempt === 4) expect(result.exhausted).toBe(true);
    }
    expect(gaps).toEqual([3, 5, 7]);
    expect(invoice.status).toBe('uncollectible');
  });
});
