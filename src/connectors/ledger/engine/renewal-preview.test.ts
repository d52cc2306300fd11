import { describe, expect, it } from 'vitest';
import type { Coupon, Customer, Price, Subscription } from '../../../domain/billing.ts';
import { sequentialIdFactory } from '../../../domain/ids.ts';
import { activeCoupon, issueInvoice, previewRenewal, renewalLines } from './index.ts';

const at = (iso: string) => new Date(iso);
const price = (fields: Partial<Price>): Price => ({
  id: 'price_team',
  orgId: 'org_1',
  productId: 'prod_team',
  nickname: 'Team monthly',
  currency: 'usd',
  interval: 'month',
  scheme: 'per_unit',
  unitAmount: 1_500,
  tiers: [],
  usageMetric: null,
  freeAllowance: 0,
  trialDays: 0,
  active: true,
  createdAt: at('2026-01-01T00:00:00Z'),
  ...fields,
});
const team = price({});
const calls = price({
  id: 'price_calls',
  nickname: 'API calls',
  scheme: 'tiered',
  unitAmount: 0,
  usageMetric: 'api_calls',
  tiers: [{ upTo: null, unitAmount: 2, flatAmount: 0 }],
});
const save20: Coupon = {
  id: 'co_save20',
  orgId: 'org_1',
  code: 'SAVE20',
  name: 'Save 20%',
  percentOffBps: 2_000,
  amountOff: null,
  currency: null,
  duration: 'forever',
  durationInMonths: null,
  countries: [],
  maxRedemptions: null,
  timesRedeemed: 0,
  valid: true,
  createdAt: at('2026-01-01T00:00:00Z'),
};
const subscription = (fields: Partial<Subscription> = {}): Subscription => ({
  id: 'sub_1',
  orgId: 'org_1',
  customerId: 'cus_1',
  status: 'active',
  currency: 'usd',
  items: [
    { id: 'si_1', subscriptionId: 'sub_1', priceId: team.id, quantity: 3 },
    { id: 'si_2', subscriptionId: 'sub_1', priceId: calls.id, quantity: 1 },
  ],
  currentPeriodStart: at('2026-03-15T00:00:00Z'),
  currentPeriodEnd: at('2026-04-15T00:00:00Z'),
  billingAnchor: at('2026-01-15T00:00:00Z'),
  trialEnd: null,
  cancelAtPeriodEnd: false,
  canceledAt: null,
  endedAt: null,
  cancellationReason: null,
  couponId: save20.id,
  discountEnd: null,
  createdAt: at('2026-01-15T00:00:00Z'),
  ...fields,
});
const customer: Customer = {
  id: 'cus_1',
  orgId: 'org_1',
  name: 'Acme Corp',
  email: 'a@acme.test',
  country: 'DE',
  address: {},
  metadata: {},
  currency: 'usd',
  balance: 0,
  paymentMethod: null,
  taxRateBps: 1_900,
  createdAt: at('2026-01-01T00:00:00Z'),
  deletedAt: null,
};
const prices = new Map([
  [team.id, team],
  [calls.id, calls],
]);
const productNames = new Map([['prod_team', 'Team']]);

describe('previewRenewal', () => {
  it('prices licensed items ahead, shows metered items at zero, then discount and tax: lines sum to the total', () => {
    const preview = previewRenewal({
      subscription: subscription(),
      prices,
      productNames,
      coupon: save20,
      taxRateBps: 1_900,
    });
    // 3 × $15.00 = $45.00; 20% off = −$9.00; 19% tax on $36.00 = $6.84.
    expect(preview).toEqual({
      date: at('2026-04-15T00:00:00Z'),
      currency: 'usd',
      lines: [
        { description: '3 × Team (monthly)', amount: 4_500 },
        { description: 'Team: api_calls usage, billed on actual use', amount: 0 },
        { description: 'Discount (SAVE20)', amount: -900 },
        { description: 'Tax', amount: 684 },
      ],
      subtotal: 4_500,
      discount: 900,
      tax: 684,
      total: 4_284,
    });
    expect(preview.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(preview.total);
  });

  it('gives the total the renewal itself issues when no usage was recorded', () => {
    const live = subscription();
    const issued = issueInvoice(
      { newId: sequentialIdFactory('t'), now: live.currentPeriodEnd },
      {
        customer,
        number: 'INV-1',
        subscriptionId: live.id,
        billingReason: 'subscription_cycle',
        lines: renewalLines({
          items: live.items,
          prices,
          productNames,
          usage: [],
          previousStart: live.currentPeriodStart,
          previousEnd: live.currentPeriodEnd,
          nextEnd: at('2026-05-15T00:00:00Z'),
          billLicensed: true,
        }),
        coupon: activeCoupon(live, save20, live.currentPeriodEnd),
      },
    ).invoice;
    const preview = previewRenewal({ subscription: live, prices, productNames, coupon: save20, taxRateBps: 1_900 });
    expect({ subtotal: preview.subtotal, discount: preview.discount, tax: preview.tax, total: preview.total }).toEqual({
      subtotal: issued.subtotal,
      discount: issued.discount,
      tax: issued.tax,
      total: issued.total,
    });
  });

  it('a coupon that ends by the renewal date no longer discounts', () => {
    const ended = subscription({ discountEnd: at('2026-04-15T00:00:00Z') });
    const preview = previewRenewal({ subscription: ended, prices, productNames, coupon: save20, taxRateBps: 0 });
    expect(preview.lines).toEqual([
      { description: '3 × Team (monthly)', amount: 4_500 },
      { description: 'Team: api_calls usage, billed on actual use', amount: 0 },
    ]);
    expect(preview.total).toBe(4_500);
  });

  it('an annual flat plan in a zero-decimal currency', () => {
    const annual = price({ id: 'price_year', currency: 'jpy', interval: 'year', scheme: 'flat', unitAmount: 48_000 });
    const preview = previewRenewal({
      subscription: subscription({
        currency: 'jpy',
        couponId: null,
        items: [{ id: 'si_3', subscriptionId: 'sub_1', priceId: annual.id, quantity: 1 }],
        currentPeriodEnd: at('2027-01-15T00:00:00Z'),
      }),
      prices: new Map([[annual.id, annual]]),
      productNames,
      coupon: undefined,
      taxRateBps: 1_000,
    });
    expect(preview.lines).toEqual([
      { description: 'Team (annual)', amount: 48_000 },
      { description: 'Tax', amount: 4_800 },
    ]);
    expect(preview).toMatchObject({ currency: 'jpy', total: 52_800, date: at('2027-01-15T00:00:00Z') });
  });
});
