/**
 * Gate amounts count against the cumulative limits (issue 20): an external agent's credits validated through
 * `POST /api/gate/validate` hold their amount against the key member's rolling 24 h limit (and the account's)
 * from validation — a PASS or WARN while it may still be executed, an executed one for good — so an agent cannot
 * credit past the limit through the gate, and the member's own Leash proposals see the gate's amounts too. A
 * failed execution or a rejected request holds nothing. Org on the `caps` profile: max, a billing manager, has a
 * $5,000 cap and a $15,000 daily limit.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { proposeOperation } from '../../src/operations/run-operation.ts';
import { withoutOrgScope } from '../../src/store/org-scope.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type Body = { action_kind: string; action_type: string; ai_output: unknown; context: Record<string, unknown> };
interface Answer {
  decision: string;
  decision_id: string;
  reasons: { policy_id: string; message: string }[];
  payload_hash?: string;
}

const CANONICAL = JSON.parse(
  readFileSync(new URL('../fixtures/gate/billing-change.canonical.json', import.meta.url), 'utf8'),
) as Body;

let keys = 0;
/** A credit of `amount` cents to `account`, with a fresh idempotency key. */
function credit(amount: number, account: string): Body {
  keys += 1;
  return {
    action_kind: 'money.credit',
    action_type: 'credit',
    ai_output: { amount, currency: 'usd' },
    context: { ...CANONICAL.context, account_id: account, idempotency_key: `idem_limit_${keys}` },
  };
}

describe(`gate amounts count against the daily limits (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let gateKey = '';

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await withoutOrgScope(() =>
      fixture.store.db.updateTable('orgs').set({ policyProfile: 'caps' }).where('id', '=', fixture.orgId).execute(),
    );
    server = await startTestServer(fixture);
    gateKey = (await createApiKey(fixture.store.db, await fixture.member(MANAGER), 'Helpdesk bot', 'cli', 'gate')).key;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  const validate = async (body: Body) => {
    const answer = await server.call<Answer>('POST', '/api/gate/validate', { token: gateKey, body });
    expect(answer.status).toBe(200);
    return { ...answer.body, idempotencyKey: body.context.idempotency_key as string };
  };
  const report = (answer: Awaited<ReturnType<typeof validate>>, status: 'succeeded' | 'failed') =>
    server.call('POST', `/api/gate/decisions/${answer.decision_id}/executed`, {
      token: gateKey,
      body: { idempotency_key: answer.idempotencyKey, status, payload_hash: answer.payload_hash },
    });

  it('the 4th $4,000 credit in 24 h is held for approval naming the daily limit; a failed one frees its amount; Leash proposals count them', async () => {
    const first = await validate(credit(400_000, 'acct_a'));
    expect(first.decision, JSON.stringify(first.reasons)).toBe('PASS');
    expect((await report(first, 'succeeded')).status).toBe(200);
    const second = await validate(credit(400_000, 'acct_b'));
    const third = await validate(credit(400_000, 'acct_c'));
    expect([second.decision, third.decision]).toEqual(['PASS', 'PASS']);

    // $12,000 executed or still executable; $4,000 more is past max's $15,000.
    const fourth = await validate(credit(400_000, 'acct_d'));
    expect(fourth.decision).toBe('WARN');
    const limit = fourth.reasons.find((reason) => reason.policy_id === 'limits.daily');
    expect(limit?.message, JSON.stringify(fourth.reasons)).toMatch(
      /brings your credits in the last 24 h to \$16,000\.00, over your daily limit of \$15,000\.00/,
    );
    // Held: the agent may not execute it until finance or the owner approves.
    const poll = await server.call<{ may_execute: boolean; status: string }>(
      'GET',
      `/api/gate/decisions/${fourth.decision_id}`,
      { token: gateKey },
    );
    expect(poll.body).toMatchObject({ may_execute: false, status: 'pending_approval' });
    expect((await report(fourth, 'succeeded')).status).toBe(409);

    // A failed execution holds nothing: with the second one failed, $2,000 more fits ($14,000 held).
    expect((await report(second, 'failed')).status).toBe(200);
    const fifth = await validate(credit(200_000, 'acct_e'));
    expect(fifth.decision, JSON.stringify(fifth.reasons)).toBe('PASS');

    // The member's own proposals see the gate's amounts: $14,000 through the gate + $2,000 here is over.
    const { charge } = await fixture.paidCharge(1_000);
    const proposal = await proposeOperation(await fixture.context(MANAGER), 'credit_customer', {
      customer_id: charge.customerId,
      amount: 200_000,
      currency: 'usd',
      reason: 'goodwill',
      case_id: 'T-LIM',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('limits.daily');
  });

  it("one account's credits by the agent count together against the per-customer limit", async () => {
    const account = 'cus_gate_limits_acct';
    // Max's earlier $14,000 already fill the member limit: this test reads the per-customer reason only.
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await validate(credit(400_000, account)));
    const last = answers.at(-1);
    const perCustomer = last?.reasons.find((reason) => reason.policy_id === 'limits.per_customer');
    expect(perCustomer?.message, JSON.stringify(last?.reasons)).toMatch(
      /to customer cus_gate_limits_acct by all members in the last 24 h to \$16,000\.00, over the per-customer limit of \$15,000\.00/,
    );
  });
});
