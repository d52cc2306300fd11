/**
 * Catalogue configuration (billing.configure) through the pipeline: a plan with an annual discount and a
 * trial, regional discounts, a usage price with a free allowance and committed tiers. Short-leash routes
 * every one to finance or a founder; clerks are blocked; bad tiers are refused with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLERK,
  FINANCE,
  type LeashFixture,
  MANAGER,
  OWNER,
  openLeashFixture,
} from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { isLeashError } from '../domain/errors.ts';
import { annualAmount } from './create-plan.ts';
import { approveRequest, confirmProposal, proposeOperation } from './run-operation.ts';

describe(`catalogue configuration (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  async function approvedByFinance(name: string, input: Record<string, unknown>) {
    const proposal = await proposeOperation(await fixture.context(OWNER), name, {
      reason: 'pricing update',
      case_id: 'PRICING-7',
      ...input,
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.requiredApprovers.groups).toEqual(expect.arrayContaining(['finance', 'founder']));
    const outcome = await approveRequest(await fixture.context(FINANCE), proposal.approval?.id ?? '', {
      reason: 'ok',
      confirmText: 'CONFIRM',
    });
    expect(outcome.status).toBe('succeeded');
    return { proposal, result: outcome.result };
  }

  it('create_plan: product with limits, a monthly price and an annual one at 20% off, with a trial', async () => {
    const { proposal, result } = await approvedByFinance('create_plan', {
      name: 'Scale',
      limits: { seats: 25, api_calls: 250_000, projects: null },
      overage: 'API calls over the limit bill at the usage price.',
      currency: 'usd',
      monthly_amount: 19_900,
      annual_discount_percent: 20,
      trial_days: 14,
    });
    expect(proposal.preview.summary).toBe(
      'Create plan Scale: $199.00/month or $1,910.40/year (20% off), 14-day trial; limits: seats 25, api_calls 250,000, projects unlimited',
    );
    const { product, prices } = result as {
      product: { id: string; limits: Record<string, number | null> };
      prices: { interval: string; unitAmount: number; trialDays: number }[];
    };
    expect(product.limits).toEqual({ seats: 25, api_calls: 250_000, projects: null });
    expect(prices.map((price) => [price.interval, price.unitAmount, price.trialDays])).toEqual(
      [
        ['month', 19_900],
        ['year', 191_040],
      ].map(([interval, amount]) => [interval, amount, 14]),
    );
    expect(annualAmount(19_900, 20)).toBe(191_040);
    // The same name again is a conflict, decided before anything is written.
    const again = await proposeOperation(await fixture.context(OWNER), 'create_plan', {
      name: 'scale',
      currency: 'usd',
      monthly_amount: 100,
      reason: 'x',
      case_id: 'x',
    }).catch((error: unknown) => error);
    expect(isLeashError(again, 'conflict')).toBe(true);
  });

  it('create_regional_discounts: one coupon per country, usable only there', async () => {
    const { result } = await approvedByFinance('create_regional_discounts', {
      discounts: [
        { country: 'IN', percent_off: 40 },
        { country: 'BR', percent_off: 35 },
      ],
    });
    const { coupons } = result as { coupons: { code: string; countries: string[]; percentOffBps: number }[] };
    expect(coupons.map((coupon) => [coupon.code, coupon.countries, coupon.percentOffBps])).toEqual([
      ['PPP-IN-40', ['IN'], 4_000],
      ['PPP-BR-35', ['BR'], 3_500],
    ]);
    const { customer } = await fixture.paidCharge(1_000);
    const product = await fixture.connector.createProduct({ name: 'Solo' }, { idempotencyKey: 'solo-product' });
    const price = await fixture.connector.createPrice(
      { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 1_000 },
      { idempotencyKey: 'solo-price' },
    );
    const refused = await fixture.connector
      .createSubscription(
        { customerId: customer.id, items: [{ priceId: price.id }], couponId: coupons[0]?.code ?? '' },
        { idempotencyKey: 'solo-sub' },
      )
      .catch((error: unknown) => error);
    expect(isLeashError(refused, 'invalid_state')).toBe(true);
  });

  it('create_usage_price: free allowance, graduated tiers and a committed flat amount', async () => {
    const { result } = await approvedByFinance('create_usage_price', {
      product: 'Scale',
      metric: 'api_calls',
      currency: 'usd',
      free_allowance: 10_000,
      tiers: [
        { up_to: 100_000, unit_amount: 2, flat_amount: 5_000 },
        { up_to: null, unit_amount: 1 },
      ],
    });
    expect(result).toMatchObject({ scheme: 'tiered', usageMetric: 'api_calls', freeAllowance: 10_000 });
  });

  it('bad tiers are refused with the field named; a clerk is blocked; a manager outside finance is blocked too; the owner confirms under caps', async () => {
    const bad = await proposeOperation(await fixture.context(OWNER), 'create_usage_price', {
      product: 'Scale',
      metric: 'seats_used',
      currency: 'usd',
      tiers: [{ up_to: 10, unit_amount: 5 }],
      reason: 'x',
      case_id: 'x',
    }).catch((error: unknown) => error);
    expect(isLeashError(bad, 'bad_input')).toBe(true);
    expect((bad as { details: { field?: string } }).details.field).toBe('tiers');
    for (const member of [CLERK, MANAGER]) {
      const refused = await proposeOperation(await fixture.context(member), 'create_plan', {
        name: 'Not theirs',
        currency: 'usd',
        monthly_amount: 100,
        reason: 'x',
        case_id: 'x',
      });
      expect(refused.decision.outcome).toBe('block');
    }
    const owner = await fixture.context(OWNER, { profile: 'caps' });
    const proposal = await proposeOperation(owner, 'create_plan', {
      name: 'Owner plan',
      currency: 'eur',
      monthly_amount: 900,
      reason: 'x',
      case_id: 'x',
    });
    expect(proposal.decision.outcome).toBe('pass');
    expect((await confirmProposal(owner, proposal.id)).status).toBe('succeeded');
  });
});
