/**
 * Money moved through Stripe exactly once: a refund proposed and confirmed through the real pipeline, executed
 * by the Stripe connector against the offline fake, under concurrent confirms, an injected 500, a lost answer
 * (a crash between Stripe's effect and Leash's success record) and a gap longer than Stripe keeps keys — and the
 * same idempotency key on every attempt. Also: 429 backs off, a missing permission reads as one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { backfillStripe } from '../../src/connectors/stripe/stripe-sync.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import type { Charge } from '../../src/domain/billing.ts';
import { isLeashError } from '../../src/domain/errors.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { idempotencyKeyFor } from '../../src/operations/gate-request.ts';
import { recoverExecutions } from '../../src/operations/recover-executions.ts';
import { confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { accessSource, fakeAccess } from '../support/stripe-access.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

const END = new Date(Date.UTC(2026, 10, 20, 12));

describe(`Stripe writes, exactly once (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  let stripe: StripeConnector;
  let owner: OperationContext;
  let charges: Charge[];

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, { orgId: fixture.orgId, customers: 12, months: 4, seed: 'writes', endAt: END });
    fake = await startStripeFake();
    await fake.seedFromLedger(new LedgerConnector(fixture.store.db, fixture.orgId));
    await backfillStripe(fixture.store.db, fixture.orgId, fakeAccess(fake));
    stripe = new StripeConnector(fixture.store.db, fixture.orgId, accessSource(fakeAccess(fake)));
    owner = await fixture.context(OWNER, {
      profile: 'caps',
      connector: (executor) => new StripeConnector(executor, fixture.orgId, accessSource(fakeAccess(fake))),
    });
    charges = (await stripe.listCharges({ status: 'succeeded', limit: 500 })).filter(
      (charge) => charge.amountRefunded === 0 && charge.method === 'card' && charge.amount > 2_000,
    );
    expect(charges.length).toBeGreaterThan(8);
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await fixture?.close();
  });
  let next = 0;
  let charge: Charge;
  beforeEach(() => {
    charge = charges[next++] as Charge;
  });

  /** Proposes a 1,000 refund of the test's charge as the owner (a PASS that needs CONFIRM). */
  async function proposeRefund() {
    const proposal = await proposeOperation(owner, 'refund_charge', {
      charge_id: charge.id,
      amount: 1_000,
      currency: charge.currency,
      reason: 'charged twice',
      case_id: 'T-stripe',
    });
    expect(proposal.decision.outcome).toBe('pass');
    return proposal;
  }
  const refundPosts = (proposalId: string) =>
    fake.requests
      .filter((request) => request.method === 'POST' && request.path === '/v1/refunds')
      .filter((request) => request.idempotencyKey === idempotencyKeyFor(proposalId));
  const stripeRefunds = () =>
    fake.objects('refund').filter((refund) => refund.charge === charge.id && refund.status !== 'failed');

  it('refunds through Stripe with the proposal’s key and id in metadata, and the mirror shows it at once', async () => {
    const proposal = await proposeRefund();
    const outcome = await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('succeeded');
    const [refund] = stripeRefunds();
    expect(refund?.amount).toBe(1_000);
    expect(refund?.metadata).toMatchObject({
      leash_proposal_id: proposal.id,
      leash_idempotency_key: idempotencyKeyFor(proposal.id),
      leash_reason: 'charged twice',
    });
    expect((await stripe.getCharge(charge.id))?.amountRefunded).toBe(1_000);
    expect(await stripe.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    expect(fake.invalidRequests).toEqual([]);
  });

  it('concurrent confirms: one refund, one request to Stripe', async () => {
    const proposal = await proposeRefund();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' })),
    );
    // One confirm executes. The others are refused while it runs, or told it is already executing, or (arriving
    // after it finished) given the first execution's outcome (a replay): none with an execution of its own.
    const executions = new Set(
      outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value.executionId !== null ? [o.value.executionId] : [])),
    );
    expect(executions.size).toBe(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(isLeashError(outcome.reason, 'invalid_state')).toBe(true);
      else expect(outcome.value.status).toMatch(/succeeded|executing/);
    }
    expect(stripeRefunds()).toHaveLength(1);
    expect(refundPosts(proposal.id)).toHaveLength(1);
    expect((await stripe.getCharge(charge.id))?.amountRefunded).toBe(1_000);
  });

  it('an injected 500 is retried with the same key: one refund', async () => {
    const proposal = await proposeRefund();
    fake.inject({ method: 'POST', path: '/v1/refunds', status: 500, times: 1 });
    const outcome = await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('succeeded');
    const posts = refundPosts(proposal.id);
    expect(posts.map((post) => post.status)).toEqual([500, 200]);
    expect(new Set(posts.map((post) => post.idempotencyKey)).size).toBe(1);
    expect(stripeRefunds()).toHaveLength(1);
  });

  it('429 backs off and goes through with the same key', async () => {
    const proposal = await proposeRefund();
    fake.inject({ method: 'POST', path: '/v1/refunds', status: 429, times: 2 });
    expect((await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
    expect(refundPosts(proposal.id).map((post) => post.status)).toEqual([429, 429, 200]);
    expect(stripeRefunds()).toHaveLength(1);
  });

  it('a crash after Stripe refunded but before Leash recorded it: recovery gets the same refund back', async () => {
    const proposal = await proposeRefund();
    // Stripe makes the refund, every answer is lost: the execution is left `executing`, as after a crash.
    fake.inject({ method: 'POST', path: '/v1/refunds', status: 500, afterEffect: true, times: 4 });
    await expect(confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' })).rejects.toThrow();
    expect(stripeRefunds()).toHaveLength(1);
    const stuck = await fixture.store.db
      .selectFrom('executions')
      .selectAll()
      .where('proposalId', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(stuck.status).toBe('executing');
    expect(await stripe.listRefunds({ chargeId: charge.id })).toHaveLength(0);

    const recovered = await recoverExecutions(owner);
    expect(recovered.find((outcome) => outcome.proposalId === proposal.id)?.status).toBe('succeeded');
    expect(stripeRefunds()).toHaveLength(1);
    const mirrored = await stripe.listRefunds({ chargeId: charge.id });
    expect(mirrored.map((refund) => refund.id)).toEqual(stripeRefunds().map((refund) => refund.id));
    const posts = refundPosts(proposal.id);
    expect(posts.length).toBe(5);
    expect(new Set(posts.map((post) => post.idempotencyKey))).toEqual(new Set([idempotencyKeyFor(proposal.id)]));
  });

  it('after a gap longer than Stripe keeps keys, recovery finds the refund by metadata instead of refunding again', async () => {
    const proposal = await proposeRefund();
    fake.inject({ method: 'POST', path: '/v1/refunds', status: 500, afterEffect: true, times: 4 });
    await expect(confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' })).rejects.toThrow();
    // A day and more later: Stripe has forgotten the key; the execution record says when it started.
    fake.advance(25 * 3600 * 1000);
    await fixture.store.db
      .updateTable('executions')
      .set({ startedAt: new Date(Date.now() - 25 * 3600 * 1000) })
      .where('proposalId', '=', proposal.id)
      .execute();
    const before = refundPosts(proposal.id).length;
    const recovered = await recoverExecutions(owner);
    expect(recovered.find((outcome) => outcome.proposalId === proposal.id)?.status).toBe('succeeded');
    expect(refundPosts(proposal.id).length).toBe(before);
    expect(stripeRefunds()).toHaveLength(1);
    expect(await stripe.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    expect(
      fake.requests.some(
        (request) => request.method === 'GET' && request.path === '/v1/refunds' && request.query.charge === charge.id,
      ),
    ).toBe(true);
  });

  it('a request that times out is sent again with the same key: one refund', async () => {
    const slow = await fixture.context(OWNER, {
      profile: 'caps',
      connector: (executor) =>
        new StripeConnector(executor, fixture.orgId, accessSource(fakeAccess(fake, { timeoutMs: 300 }))),
    });
    const proposal = await proposeOperation(slow, 'refund_charge', {
      charge_id: charge.id,
      amount: 1_000,
      currency: charge.currency,
      reason: 'slow network',
      case_id: 'T-stripe',
    });
    fake.inject({ method: 'POST', path: '/v1/refunds', delayMs: 1_000, afterEffect: true, times: 1 });
    expect((await confirmProposal(slow, proposal.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
    expect(stripeRefunds()).toHaveLength(1);
    expect(new Set(refundPosts(proposal.id).map((post) => post.idempotencyKey)).size).toBe(1);
  });

  it('a key without the refund permission: the execution fails naming rak_refund_write, nothing moves', async () => {
    const proposal = await proposeRefund();
    fake.inject({
      method: 'POST',
      path: '/v1/refunds',
      status: 403,
      message:
        "The provided key 'rk_test_***' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_refund_write' permission would allow this request to continue.",
    });
    const outcome = await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('failed');
    expect(JSON.stringify(outcome.result)).toMatch(/rak_refund_write/);
    expect(stripeRefunds()).toHaveLength(0);
    expect((await stripe.getCharge(charge.id))?.amountRefunded).toBe(0);
  });
});
