/**
 * Confirming and approving what cannot be undone (issue 17): without the text CONFIRM the attempt is refused as
 * bad input and nothing is used up (the proposal stays confirmable, the approval request stays open). A
 * duplicate confirm runs nothing again: it answers with the first execution and writes `confirm.replayed`
 * naming the proposal and the actor, and the audit chain still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { findApprovalRequest } from '../approvals/approval-requests.ts';
import { verifyAuditChain } from '../audit/verify-audit-chain.ts';
import { isLeashError } from '../domain/errors.ts';
import { loadProposal } from './proposals.ts';
import { approveRequest, confirmProposal, proposeOperation } from './run-operation.ts';

describe(`confirm text and duplicate confirms (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  const refund = async (profile: 'caps' | 'short-leash', amount = 2_000) => {
    const { charge } = await fixture.paidCharge(10_000);
    const clerk = await fixture.context(CLERK, { profile });
    const proposal = await proposeOperation(clerk, 'refund_charge', {
      charge_id: charge.id,
      amount,
      reason: 'charged twice',
      case_id: 'T-ONCE',
    });
    return { charge, clerk, proposal };
  };
  const refusal = async (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );
  const events = (proposalId: string, event: string) =>
    fixture.store.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('proposalId', '=', proposalId)
      .where('event', '=', event)
      .execute();

  it('approving an irreversible action without CONFIRM is refused and leaves the request open', async () => {
    const { charge, proposal } = await refund('short-leash');
    expect(proposal.status).toBe('awaiting_approval');
    const approvalId = proposal.approval?.id ?? '';
    const finance = await fixture.context(FINANCE);
    const refused = await refusal(approveRequest(finance, approvalId, { reason: 'checked the statement' }));
    expect(isLeashError(refused, 'bad_input')).toBe(true);
    expect((await findApprovalRequest(fixture.store.db, fixture.orgId, approvalId))?.status).toBe('pending');
    expect((await loadProposal(fixture.store.db, fixture.orgId, proposal.id)).status).toBe('awaiting_approval');
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(0);
    // The refused attempt is on the record.
    const decisions = await events(proposal.id, 'decision.made');
    expect(
      decisions.map((row) => (row.decision as { reasons?: { policyId: string }[] })?.reasons?.[0]?.policyId),
    ).toContain('confirm.text_required');
    const approved = await approveRequest(finance, approvalId, {
      reason: 'checked the statement',
      confirmText: 'CONFIRM',
    });
    expect(approved.status).toBe('succeeded');
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(2_000);
  });

  it('confirming an irreversible PASS without CONFIRM is refused and the proposal stays confirmable', async () => {
    const { charge, clerk, proposal } = await refund('caps');
    expect(proposal).toMatchObject({ status: 'awaiting_confirmation', decision: { needsConfirmText: true } });
    const refused = await refusal(confirmProposal(clerk, proposal.id));
    expect(isLeashError(refused, 'bad_input')).toBe(true);
    expect((await loadProposal(fixture.store.db, fixture.orgId, proposal.id)).status).toBe('awaiting_confirmation');
    expect((await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(2_000);
  });

  it('five concurrent confirms: one execution, four confirm.replayed rows, and the chain verifies', async () => {
    const { charge, clerk, proposal } = await refund('caps');
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' })),
    );
    const executions = await fixture.store.db
      .selectFrom('executions')
      .select('id')
      .where('proposalId', '=', proposal.id)
      .execute();
    expect(executions).toHaveLength(1);
    expect(await fixture.connector.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    // Every answer names the one execution; four of them are replays of it.
    expect(new Set(outcomes.map((outcome) => outcome.executionId))).toEqual(new Set([executions[0]?.id]));
    const replays = outcomes.filter((outcome) => outcome.reasons[0]?.policyId === 'pipeline.once');
    expect(replays).toHaveLength(4);
    const rows = await events(proposal.id, 'confirm.replayed');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatchObject({ actorEmail: CLERK, operation: 'refund_charge' });
    expect(await verifyAuditChain(fixture.store.db, fixture.orgId)).toMatchObject({ ok: true });
  });

  it('a confirm after the execution answers with its result and is audited', async () => {
    const { clerk, proposal } = await refund('caps');
    const first = await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' });
    expect(first.status).toBe('succeeded');
    const again = await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' });
    expect(again).toMatchObject({ status: 'succeeded', executionId: first.executionId, result: first.result });
    expect(await events(proposal.id, 'confirm.replayed')).toHaveLength(1);
    expect(await events(proposal.id, 'execution.succeeded')).toHaveLength(1);
  });
});
