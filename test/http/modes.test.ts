/**
 * Modes over HTTP (issue 20): GET /api/policy/modes shows them, POST proposes set_policy_modes (nothing applied
 * until confirmed or approved); under insight-only a clerk's refund is BLOCKed naming the mode; widening under
 * short-leash waits for a billing manager; bad input is a 400 that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

interface ProposalBody {
  id: string;
  status: string;
  decision: { outcome: string; reasons: { policyId: string; message: string }[] };
  preview: { changes: { field: string; from: unknown; to: unknown }[] };
  approval: { id: string } | null;
}

describe(`modes over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let owner: string;
  let clerk: string;
  let manager: string;
  let chargeId: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    owner = (await server.signIn(OWNER)).token;
    clerk = (await server.signIn(CLERK)).token;
    manager = (await server.signIn(MANAGER)).token;
    chargeId = (await fixture.paidCharge(50_000, 'usd', 'Umbrella')).charge.id;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  const modes = async () =>
    (
      await server.call<{ preset: string; roles: { role: string; modes: string[] }[] }>('GET', '/api/policy/modes', {
        token: owner,
      })
    ).body;
  const propose = (token: string, body: unknown) =>
    server.call<{ proposal: ProposalBody }>('POST', '/api/policy/modes', { token, body });

  it('shows full by default, narrows to insight-only (PASS, then confirm), and a refund then BLOCKs naming Act mode', async () => {
    expect((await modes()).preset).toBe('full');
    const proposed = await propose(owner, { preset: 'insight-only', reason: 'rollout week 1', case_id: 'ROLL-1' });
    expect(proposed.status).toBe(201);
    const { proposal } = proposed.body;
    expect(proposal.decision.outcome).toBe('pass');
    expect(proposal.preview.changes).toContainEqual({
      field: 'billing_clerk modes',
      from: 'insight, act, integrate',
      to: 'insight',
    });
    expect((await modes()).preset).toBe('full'); // proposing applies nothing
    const confirmed = await server.call<{ status: string }>('POST', `/api/proposals/${proposal.id}/confirm`, {
      token: owner,
      body: {},
    });
    expect(confirmed.body.status).toBe('succeeded');
    expect((await modes()).preset).toBe('insight-only');

    const refund = await server.call<ProposalBody>('POST', '/api/operations/refund_charge', {
      token: clerk,
      body: { charge_id: chargeId, amount: 500, reason: 'duplicate', case_id: 'T-9' },
    });
    expect(refund.body.decision.outcome).toBe('block');
    expect(refund.body.decision.reasons[0]?.policyId).toBe('mode.off');
    expect(refund.body.decision.reasons[0]?.message).toContain('Act mode is off for billing clerks');
    expect(refund.body.decision.reasons[0]?.message).toContain('preset insight-only');
  });

  it('widening under short-leash WARNs; a billing manager approves and it applies once', async () => {
    const proposed = await propose(owner, { preset: 'support-act', reason: 'rollout week 2', case_id: 'ROLL-2' });
    const { proposal } = proposed.body;
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons[0]?.policyId).toBe('mode.widen');
    expect(proposal.approval).not.toBeNull();
    expect((await modes()).preset).toBe('insight-only');
    const approved = await server.call<{ status: string }>('POST', `/api/approvals/${proposal.approval?.id}/approve`, {
      token: manager,
      body: { reason: 'agreed in the rollout plan' },
    });
    expect(approved.body.status, JSON.stringify(approved.body)).toBe('succeeded');
    expect((await modes()).preset).toBe('support-act');
  });

  it('only the owner may change modes; bad input is a 400 and changes nothing', async () => {
    const byClerk = await propose(clerk, { preset: 'full', reason: 'mine', case_id: 'X' });
    expect(byClerk.body.proposal.decision.outcome).toBe('block');
    for (const body of [
      { preset: 'everything', reason: 'r', case_id: 'c' },
      { preset: 'custom', roles: { billing_clerk: ['act'] }, reason: 'r', case_id: 'c' },
      { preset: 'custom', roles: { wizard: ['insight'] }, reason: 'r', case_id: 'c' },
      { preset: 'full', credit_limit: { amount: -1, currency: 'usd' }, reason: 'r', case_id: 'c' },
      'full',
    ]) {
      const response = await server.call('POST', '/api/policy/modes', { token: owner, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.body)).not.toMatch(/\.ts\b|node_modules|stack/i);
    }
    expect((await modes()).preset).toBe('support-act');
    expect((await server.call('GET', '/api/policy/modes')).status).toBe(401);
  });
});
