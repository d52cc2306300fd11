/**
 * The gate as a service (issue 20 part 3, seed 004) over real HTTP: each documented case of the seed
 * (test/fixtures/gate) gives its decision; a BLOCK is audited but not kept; every call is audited with channel
 * `gate`; a gate-scoped key is accepted only by the gate; an internal error fails closed (BLOCK, never a 5xx);
 * the same idempotency key replays its first decision and refuses another payload; the key member's modes apply.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import type { Gate } from '../../src/policy/decide.ts';
import { withoutOrgScope } from '../../src/store/org-scope.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { FINANCE, type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type Body = { action_kind: string; action_type: string; ai_output: unknown; context: Record<string, unknown> };
interface Case {
  name: string;
  change?: Partial<Body>;
  remove?: string[];
  context?: Record<string, unknown>;
  expect: { decision: string; policy_id: string; message?: string; message_starts?: string; normalized?: object };
}
interface Answer {
  decision: string;
  decision_id: string;
  reasons: { policy_id: string; message: string }[];
  approval_token?: string;
  payload_hash?: string;
  normalized_input?: { context: Record<string, unknown> };
  replayed?: boolean;
}

const fixtureFile = (name: string) => new URL(`../fixtures/gate/${name}`, import.meta.url);
const CANONICAL = JSON.parse(readFileSync(fixtureFile('billing-change.canonical.json'), 'utf8')) as Body;
const CASES = JSON.parse(readFileSync(fixtureFile('cases.json'), 'utf8')) as Case[];

let keys = 0;
/** The canonical payload with a case's changes and a fresh idempotency key. */
function bodyOf(test: Pick<Case, 'change' | 'remove' | 'context'>): Body {
  keys += 1;
  const context: Record<string, unknown> = {
    ...CANONICAL.context,
    idempotency_key: `idem_case_${keys}`,
    ...test.context,
  };
  for (const field of test.remove ?? []) delete context[field];
  return { ...CANONICAL, ...test.change, context };
}

describe(`the gate service (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let gateKey = '';

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    gateKey = (await createApiKey(fixture.store.db, await fixture.member(MANAGER), 'Helpdesk bot', 'cli', 'gate')).key;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  const validate = (body: unknown, token = gateKey) =>
    server.call<Answer>('POST', '/api/gate/validate', { token, body });

  it.each(CASES)('$name', async (test) => {
    const answer = await validate(bodyOf(test));
    expect(answer.status).toBe(200);
    expect(answer.body.decision).toBe(test.expect.decision);
    expect(answer.body.decision_id).toMatch(/^dec_/);
    const reason = answer.body.reasons.find((found) => found.policy_id === test.expect.policy_id);
    expect(reason, JSON.stringify(answer.body.reasons)).toBeDefined();
    if (test.expect.message) expect(reason?.message).toBe(test.expect.message);
    if (test.expect.message_starts) expect(reason?.message.startsWith(test.expect.message_starts)).toBe(true);
    if (test.expect.normalized) expect(answer.body.normalized_input?.context).toMatchObject(test.expect.normalized);
    if (test.expect.decision === 'WARN') expect(answer.body.approval_token).toMatch(/^aph_/);
    else expect(answer.body.approval_token).toBeUndefined();
    // A BLOCK is final and not kept for polling; PASS and WARN are.
    const poll = await server.call('GET', `/api/gate/decisions/${answer.body.decision_id}`, { token: gateKey });
    expect(poll.status).toBe(test.expect.decision === 'BLOCK' ? 404 : 200);
  });

  it('audits every call with channel gate, the agent and the decision', async () => {
    const answer = await validate(bodyOf({ change: { action_kind: 'money.payout' } }));
    const rows = await withoutOrgScope(() =>
      fixture.store.db
        .selectFrom('auditEvents')
        .selectAll()
        .where('orgId', '=', fixture.orgId)
        .where('channel', '=', 'gate')
        .execute(),
    );
    const row = rows.find((found) => JSON.stringify(found.decision).includes(answer.body.decision_id));
    expect(row).toMatchObject({ event: 'decision.made', operation: 'external_action', actorEmail: MANAGER });
    expect(row?.arguments).toMatchObject({ agent: 'Helpdesk bot', actionKind: 'money.payout' });
    expect(rows.some((found) => found.event === 'data.read')).toBe(true);
  });

  it('a clerk key is blocked by the role policy, not by the gate service', async () => {
    const clerkKey = (
      await createApiKey(fixture.store.db, await fixture.member('carl@northwind.test'), 'Clerk bot', 'cli', 'gate')
    ).key;
    const answer = await validate(bodyOf({}), clerkKey);
    expect(answer.body).toMatchObject({ decision: 'BLOCK', reasons: [{ policy_id: 'role.not_permitted' }] });
  });

  it('replays the first decision for the same idempotency key and payload, blocks another payload', async () => {
    const body = bodyOf({});
    const first = await validate(body);
    const again = await validate(body);
    expect(again.body).toMatchObject({ decision: 'PASS', decision_id: first.body.decision_id, replayed: true });
    const other = await validate({ ...body, context: { ...body.context, account_id: 'acct_other' } });
    expect(other.body).toMatchObject({ decision: 'BLOCK', reasons: [{ policy_id: 'gate.idempotency_conflict' }] });
  });

  it('accepts a gate-scoped key only on the gate: other routes and MCP refuse it', async () => {
    const operations = await server.call<{ error: { code: string } }>('GET', '/api/operations', { token: gateKey });
    expect(operations.status).toBe(403);
    expect(operations.body.error.code).toBe('forbidden');
    const approvals = await server.call('GET', '/api/approvals', { token: gateKey });
    expect(approvals.status).toBe(403);
    const mcp = await server.call('POST', '/mcp', {
      token: gateKey,
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    expect(mcp.status).toBe(403);
  });

  it('refuses a body that is not the documented shape with a 400, and changes nothing', async () => {
    for (const body of [
      { action_kind: 12, action_type: 'change' },
      { ...CANONICAL, extra: 1 },
      { ...CANONICAL, context: 'x' },
    ]) {
      const answer = await validate(body);
      expect(answer.status).toBe(400);
    }
    expect((await server.call('POST', '/api/gate/validate', { body: CANONICAL })).status).toBe(401);
  });

  it("an agent's refund under insight-only is BLOCKed naming Act mode (the key member's modes apply)", async () => {
    const owner = (await server.signIn(OWNER)).token;
    const manager = (await server.signIn(MANAGER)).token;
    // Narrowing is confirmed by the owner; widening back (short-leash) is approved by a billing manager.
    const setModes = async (preset: string) => {
      const body = { preset, reason: 'gate modes test', case_id: 'GATE-MODES' };
      type Proposed = { proposal: { id: string; approval: { id: string } | null } };
      const { proposal } = (await server.call<Proposed>('POST', '/api/policy/modes', { token: owner, body })).body;
      const done = proposal.approval
        ? await server.call<{ status: string }>('POST', `/api/approvals/${proposal.approval.id}/approve`, {
            token: manager,
            body: { reason: 'end of the gate modes test' },
          })
        : await server.call<{ status: string }>('POST', `/api/proposals/${proposal.id}/confirm`, {
            token: owner,
            body: {},
          });
      expect(done.body.status, JSON.stringify(done.body)).toBe('succeeded');
    };
    const refund = () =>
      bodyOf({
        change: { action_kind: 'money.refund', action_type: 'refund', ai_output: { amount: 500, currency: 'usd' } },
      });
    expect((await validate(refund())).body.reasons.map((reason) => reason.policy_id)).not.toContain('mode.off');
    await setModes('insight-only');
    try {
      const answer = await validate(refund());
      expect(answer.body.decision).toBe('BLOCK');
      const reason = answer.body.reasons.find((found) => found.policy_id === 'mode.off');
      expect(reason?.message, JSON.stringify(answer.body.reasons)).toContain('Act mode is off for billing managers');
      expect(reason?.message).toContain('preset insight-only');
    } finally {
      await setModes('full');
    }
  });

  it('a mode switched off after the agent asked blocks the approval of its WARN', async () => {
    const owner = (await server.signIn(OWNER)).token;
    const manager = (await server.signIn(MANAGER)).token;
    const finance = (await server.signIn(FINANCE)).token;
    const setModes = async (preset: string) => {
      const body = { preset, reason: 'gate approval modes test', case_id: 'GATE-MODES-2' };
      type Proposed = { proposal: { id: string; approval: { id: string } | null } };
      const { proposal } = (await server.call<Proposed>('POST', '/api/policy/modes', { token: owner, body })).body;
      const done = proposal.approval
        ? await server.call<{ status: string }>('POST', `/api/approvals/${proposal.approval.id}/approve`, {
            token: manager,
            body: { reason: 'end of the test' },
          })
        : await server.call<{ status: string }>('POST', `/api/proposals/${proposal.id}/confirm`, {
            token: owner,
            body: {},
          });
      expect(done.body.status, JSON.stringify(done.body)).toBe('succeeded');
    };
    const credit = bodyOf({
      change: { action_kind: 'money.credit', action_type: 'credit', ai_output: { amount: 2_500, currency: 'usd' } },
    });
    const asked = await validate(credit);
    expect(asked.body.decision).toBe('WARN');
    type Inbox = { requests: { id: string; external?: { decisionId: string } }[] };
    const { requests } = (await server.call<Inbox>('GET', '/api/approvals', { token: finance })).body;
    const entry = requests.find((found) => found.external?.decisionId === asked.body.decision_id);
    expect(entry).toBeDefined();
    await setModes('insight-only');
    try {
      const approved = await server.call<{ error: { message: string } }>(
        'POST',
        `/api/approvals/${entry?.id}/approve`,
        { token: finance, body: { reason: 'looks fine' } },
      );
      expect(approved.status).toBe(403);
      expect(approved.body.error.message).toContain('Act mode is off');
    } finally {
      await setModes('full');
    }
  });

  it('fails closed: an error inside the gate answers BLOCK without internal detail', async () => {
    const broken: Gate = {
      ...fixture.gate,
      decide: () => {
        throw new TypeError('boom at /work/src/policy/decide.ts:1:1');
      },
    };
    const brokenServer = await startTestServer(fixture, { gate: broken });
    try {
      const answer = await brokenServer.call<Answer>('POST', '/api/gate/validate', {
        token: gateKey,
        body: bodyOf({}),
      });
      expect(answer.status).toBe(200);
      expect(answer.body.decision).toBe('BLOCK');
      expect(answer.body.reasons).toEqual([
        { policy_id: 'gate.error', message: 'The gate could not decide. Blocking by default.' },
      ]);
      expect(JSON.stringify(answer.body)).not.toMatch(/boom|\/work\//);
    } finally {
      await brokenServer.close();
    }
  });
});
