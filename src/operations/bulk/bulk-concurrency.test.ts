/**
 * One bulk job resumed by two workers at once (two `leash jobs run` processes): each target is applied once and
 * has exactly one `execution.succeeded` row, and the job ends `succeeded`. On PostgreSQL the two workers run on
 * connections of their own from the pool (to the database, as two processes would); on the embedded store they
 * run concurrently in this process over its one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../../test/support/store.ts';
import { LedgerConnector } from '../../connectors/ledger/ledger-connector.ts';
import { approveRequest, proposeOperation } from '../run-operation.ts';
import { runBulkJob } from './define-bulk.ts';

const TARGETS = 24;
let keys = 0;
const key = () => ({ idempotencyKey: `bulk_concurrent_${++keys}` });
const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };

describe(`bulk job resumed by two workers at once (${testStoreKind})`, () => {
  let fixture: LeashFixture;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    const ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-06-01T00:00:00Z'));
    const product = await ledger.createProduct({ name: 'Basic' }, key());
    const price = await ledger.createPrice(
      { productId: product.id, nickname: 'Basic', currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 900 },
      key(),
    );
    for (let index = 0; index < TARGETS; index += 1) {
      const customer = await ledger.createCustomer(
        {
          name: `Parallel ${index}`,
          email: `p${index}@parallel.test`,
          country: 'US',
          currency: 'usd',
          paymentMethod: card,
        },
        key(),
      );
      await ledger.createSubscription({ customerId: customer.id, items: [{ priceId: price.id }] }, key());
    }
    await ledger.createCoupon({ code: 'TWICE10', name: 'Ten', percentOffBps: 1_000, duration: 'once' }, key());
  }, 60_000);
  afterAll(async () => fixture?.close());

  it('applies each target once with one execution.succeeded row each', async () => {
    const proposal = await proposeOperation(await fixture.context(MANAGER), 'bulk_apply_coupon', {
      coupon: 'TWICE10',
      country: 'US',
      rate_per_second: 100,
      reason: 'parallel resume',
      case_id: 'PARALLEL-1',
    });
    expect(proposal.decision.outcome).toBe('warn');
    const outcome = await approveRequest(await fixture.context(FINANCE), proposal.approval?.id ?? '', {
      reason: 'ok',
      confirmText: 'CONFIRM',
    });
    expect(outcome.status).toBe('succeeded');
    const jobId = (outcome.result as { jobId: string }).jobId;

    const context = await fixture.context(FINANCE);
    const reports = await Promise.all([runBulkJob(context, jobId), runBulkJob({ ...context }, jobId)]);
    const final = await runBulkJob(context, jobId);
    expect(final).toMatchObject({ status: 'succeeded', total: TARGETS, succeeded: TARGETS, failed: 0 });
    expect(reports.map((report) => report.succeeded + report.failed).every((n) => n <= TARGETS)).toBe(true);

    const rows = await fixture.store.db
      .selectFrom('auditEvents')
      .select(['arguments'])
      .where('event', '=', 'execution.succeeded')
      .where('proposalId', '=', proposal.id)
      .execute();
    const positions = rows
      .map((row) => (row.arguments as { position?: number } | null)?.position)
      .filter((position): position is number => typeof position === 'number');
    expect(positions.sort((a, b) => a - b)).toEqual([...Array(TARGETS).keys()]);
    expect(await new LedgerConnector(fixture.store.db, fixture.orgId).getCoupon('TWICE10')).toMatchObject({
      timesRedeemed: TARGETS,
    });
  });
});
