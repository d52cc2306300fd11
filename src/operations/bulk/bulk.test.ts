/**
 * Bulk actions end to end: the proposal lists every target and needs approval past the bulk threshold; the
 * job runs throttled with progress, stops and resumes, and a target whose write landed before a "crash"
 * replays instead of applying twice; a segment that changed after approval blocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../../test/support/store.ts';
import { LedgerConnector } from '../../connectors/ledger/ledger-connector.ts';
import type { Price } from '../../domain/billing.ts';
import { approveRequest, proposeOperation } from '../run-operation.ts';
import { jobReport, runBulkJob } from './define-bulk.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `bulk_${++keys}` });
const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };

describe(`bulk actions (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let starter: Price;
  let pro: Price;

  async function subscribe(country: string, price: Price, index: number) {
    const customer = await ledger.createCustomer(
      {
        name: `${country} Customer ${index}`,
        email: `c${index}@${country.toLowerCase()}.test`,
        country,
        currency: 'usd',
        paymentMethod: card,
      },
      key(),
    );
    return ledger.createSubscription({ customerId: customer.id, items: [{ priceId: price.id }] }, key());
  }

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-06-01T00:00:00Z'));
    const product = await ledger.createProduct({ name: 'Starter', legacy: true }, key());
    starter = await ledger.createPrice(
      {
        productId: product.id,
        nickname: 'Starter monthly',
        currency: 'usd',
        interval: 'month',
        scheme: 'flat',
        unitAmount: 1_900,
      },
      key(),
    );
    const proProduct = await ledger.createProduct({ name: 'Pro' }, key());
    pro = await ledger.createPrice(
      {
        productId: proProduct.id,
        nickname: 'Pro monthly',
        currency: 'usd',
        interval: 'month',
        scheme: 'flat',
        unitAmount: 4_900,
      },
      key(),
    );
    for (let index = 0; index < 12; index += 1) await subscribe('US', starter, index);
    for (let index = 0; index < 3; index += 1) await subscribe('DE', starter, 100 + index);
    await ledger.createCoupon({ code: 'SUMMER20', name: 'Summer', percentOffBps: 2_000, duration: 'once' }, key());
    await ledger.advanceClock(new Date('2026-06-10T00:00:00Z'));
  });
  afterAll(async () => fixture.close());

  async function approvedJob(operation: string, input: Record<string, unknown>): Promise<string> {
    const proposal = await proposeOperation(await fixture.context(MANAGER), operation, {
      reason: 'summer campaign',
      case_id: 'CAMPAIGN-1',
      ...input,
    });
    expect(proposal.decision.outcome).toBe('warn');
    const outcome = await approveRequest(await fixture.context(FINANCE), proposal.approval?.id ?? '', {
      reason: 'ok',
      confirmText: 'CONFIRM',
    });
    expect(outcome.status).toBe('succeeded');
    return (outcome.result as { jobId: string }).jobId;
  }

  it('"Apply coupon SUMMER20 to all US customers": every target listed, approval, stop, resume, once per target', async () => {
    const proposal = await proposeOperation(await fixture.context(MANAGER), 'bulk_apply_coupon', {
      coupon: 'SUMMER20',
      country: 'US',
      reason: 'preview',
      case_id: 'CAMPAIGN-1',
    });
    expect(proposal.preview.targets).toHaveLength(12);
    // The money effect in words and in money (12 × $19.00 × 20%), customers by name: never null, never ids.
    expect(proposal.preview.summary).toBe(
      'Apply SUMMER20 to 12 live subscriptions of customers in US: gives away $45.60 a month in revenue',
    );
    expect(proposal.preview.money).toEqual({ amount: 4_560, currency: 'usd' });
    expect(proposal.preview.customers.map((customer) => customer.name)).toContain('US Customer 0');
    expect(proposal.preview.customers.every((customer) => /^US Customer \d+$/.test(customer.name))).toBe(true);
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/bulk/)]),
    );

    const jobId = await approvedJob('bulk_apply_coupon', { coupon: 'SUMMER20', country: 'US', rate_per_second: 100 });
    const context = await fixture.context(FINANCE);
    let writes = 0;
    const progress: number[] = [];
    const first = await runBulkJob(context, jobId, {
      shouldStop: () => writes++ >= 5,
      onProgress: (done) => progress.push(done),
    });
    expect(first).toMatchObject({ status: 'running', succeeded: 5, failed: 0, total: 12 });
    // A crash after a target's write but before it was marked: the row is pending again.
    await fixture.store.db
      .updateTable('bulkJobTargets')
      .set({ status: 'pending', result: null, finishedAt: null })
      .where('jobId', '=', jobId)
      .where('position', '=', 4)
      .execute();
    const resumed = await runBulkJob(context, jobId);
    expect(resumed).toMatchObject({ status: 'succeeded', succeeded: 12, failed: 0 });
    expect(progress.at(-1)).toBe(5);
    const coupon = await ledger.getCoupon('SUMMER20');
    expect(coupon?.timesRedeemed).toBe(12);
    const us = await ledger.listSubscriptions({ live: true, country: 'US', limit: 100 });
    expect(us.every((subscription) => subscription.couponId === coupon?.id)).toBe(true);
    const de = await ledger.listSubscriptions({ live: true, country: 'DE', limit: 100 });
    expect(de.every((subscription) => subscription.couponId === null)).toBe(true);
    expect((await jobReport(fixture.store.db, fixture.orgId, jobId)).status).toBe('succeeded');
  });

  it('a segment that changed after the proposal blocks at approval', async () => {
    const proposal = await proposeOperation(await fixture.context(MANAGER), 'bulk_migrate_plan', {
      from_price_id: starter.id,
      to_price_id: pro.id,
      reason: 'retire Starter',
      case_id: 'PRICING-2',
    });
    expect(proposal.preview.targets).toHaveLength(15);
    await subscribe('US', starter, 999);
    const outcome = await approveRequest(await fixture.context(FINANCE), proposal.approval?.id ?? '', {
      reason: 'ok',
      confirmText: 'CONFIRM',
    }).catch((error: unknown) => error);
    expect((outcome as { status?: string }).status ?? 'blocked').toBe('blocked');
    expect(await ledger.listSubscriptions({ live: true, priceId: pro.id, limit: 100 })).toHaveLength(0);
  });

  it('"Migrate everyone on the legacy Starter plan to Pro": exact proration per subscription, a final report', async () => {
    const jobId = await approvedJob('bulk_migrate_plan', {
      from_price_id: starter.id,
      to_price_id: pro.id,
      rate_per_second: 100,
    });
    const report = await runBulkJob(await fixture.context(FINANCE), jobId);
    expect(report).toMatchObject({ status: 'succeeded', total: 16, succeeded: 16, failed: 0 });
    expect(await ledger.listSubscriptions({ live: true, priceId: starter.id, limit: 100 })).toHaveLength(0);
    const invoices = await ledger.listInvoices({ limit: 100 });
    const prorations = invoices.filter((invoice) => invoice.billingReason === 'subscription_update');
    expect(prorations).toHaveLength(16);
    // Moved on June 10 of a June 1 – July 1 period: 21 of 30 days left, −1,900 × 21/30 + 4,900 × 21/30 = 2,100.
    // The customer who joined on June 10 has the whole period left: 4,900 − 1,900 = 3,000.
    expect(prorations.map((invoice) => invoice.subtotal).sort()).toEqual([...Array(15).fill(2_100), 3_000]);
    expect(prorations.every((invoice) => invoice.lines.length === 2)).toBe(true);
  });
});
