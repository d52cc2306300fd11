/** The pipeline's happy paths: a PASS confirmed by its requester, a WARN approved by a second member. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import { verifyAuditChain } from '../audit/verify-audit-chain.ts';
import { approveRequest, confirmProposal, proposeOperation, runRead } from './run-operation.ts';

describe(`pipeline happy paths (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  it('caps: a clerk refund within the cap passes, needs CONFIRM, runs once and is audited end to end', async () => {
    const { charge } = await fixture.paidCharge(12_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(context, 'refund_charge', {
      charge_id: charge.id,
      amount: 5_000,
      reason: 'charged twice',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('pass');
    expect(proposal.status).toBe('awaiting_confirmation');
    expect(proposal.preview.money).toEqual({ amount: 5_000, currency: 'usd' });
    expect(proposal.preview.reversible).toBe(false);
    // Nothing changes on propose.
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(0);

    // Without CONFIRM the attempt is refused as bad input and uses nothing up: the same proposal stays open.
    const withoutText = await confirmProposal(context, proposal.id).catch((error: unknown) => error);
    expect(withoutText).toMatchObject({ code: 'bad_input' });
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(0);

    const again = proposal;
    const outcome = await confirmProposal(context, again.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('succeeded');
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(5_000);
    expect(await fixture.connector.listRefunds({ chargeId: charge.id })).toHaveLength(1);

    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    const forProposal = events.filter((event) => event.proposalId === again.id).map((event) => event.event);
    expect(forProposal).toEqual(
      expect.arrayContaining(['proposal.created', 'decision.made', 'execution.started', 'execution.succeeded']),
    );
    expect((await verifyAuditChain(fixture.store.db, fixture.orgId)).ok).toBe(true);
  });

  it('short-leash: every refund warns; finance approves; it executes exactly the approved payload once', async () => {
    const { charge } = await fixture.paidCharge(4_000);
    const clerk = await fixture.context(CLERK);
    const proposal = await proposeOperation(clerk, 'refund_charge', {
      charge_id: charge.id,
      amount: 1_000,
      reason: 'goodwill',
      case_id: 'T-2',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.approval?.groups).toContain('finance');
    expect(proposal.next).toMatch(/needs approval by/);
    const finance = await fixture.context(FINANCE);
    const outcome = await approveRequest(finance, proposal.approval?.id ?? '', {
      reason: 'ok',
      confirmText: 'CONFIRM',
    });
    expect(outcome.status).toBe('succeeded');
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(1_000);
  });

  it('reads run at once and are audited as data.read', async () => {
    const { customer } = await fixture.paidCharge(1_500, 'usd', 'Readable Corp');
    const context = await fixture.context(CLERK);
    const result = (await runRead(context, 'get_customer', { customer_id: customer.id })) as {
      customer: { id: string };
    };
    expect(result.customer.id).toBe(customer.id);
    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { customerId: customer.id, limit: 100 });
    expect(events.some((event) => event.event === 'data.read' && event.operation === 'get_customer')).toBe(true);
  });
});
