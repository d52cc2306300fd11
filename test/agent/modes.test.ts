/**
 * Modes in chat (issue 20): under insight-only the built-in planner's refund proposal is blocked, and the reply
 * names the mode, the preset and the command that turns it on. The owner's plain words ("switch to insight only
 * mode", "turn on support act", "enable integrate mode for billing managers") propose set_policy_modes with the
 * preset or the role's modes, through the gate, applying nothing until confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePlanner } from '../../src/agent/planners.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { viewModes } from '../../src/operations/policy-modes.ts';
import { confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`modes in chat (${testStoreKind})`, () => {
  let fixture: LeashFixture;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await fixture.paidCharge(20_000, 'usd', 'Umbrella');
    const owner = await fixture.context(OWNER);
    const proposal = await proposeOperation(owner, 'set_policy_modes', {
      preset: 'insight-only',
      reason: 'rollout week 1',
      case_id: 'ROLL-1',
    });
    expect((await confirmProposal(owner, proposal.id)).status).toBe('succeeded');
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('a refund under insight-only is blocked naming Act mode', async () => {
    const turn = await runAgentTurn({
      context: { ...(await fixture.context(CLERK)), channel: 'agent' },
      planner: await choosePlanner('builtin'),
      text: 'Refund $5 of the last invoice for Umbrella. Reason: charged twice',
    });
    const refund = turn.calls.find((call) => call.operation === 'refund_charge');
    expect(refund?.outcome, turn.reply).toBe('block');
    expect(turn.reply).toContain('Act mode is off for billing clerks');
    expect(turn.reply).toContain('leash policy mode set support-act');
  });

  it.each([
    ['switch to insight only mode', { preset: 'insight-only' }],
    ['Turn on support act', { preset: 'support-act' }],
    ['turn on support act with a $100 credit limit', { preset: 'support-act', credit_limit: { amount: 10_000 } }],
    ['go to the full preset, everything on', { preset: 'full' }],
    [
      'enable integrate mode for billing managers',
      { preset: 'custom', roles: { billing_manager: ['insight', 'act', 'integrate'] } },
    ],
    ['turn off act mode for clerks', { preset: 'custom', roles: { billing_clerk: ['insight'] } }],
    [
      'enable act mode for rita@northwind.test',
      { preset: 'custom', members: { 'rita@northwind.test': ['insight', 'act'] } },
    ],
  ])('"%s" proposes set_policy_modes', async (text, expected) => {
    const before = await viewModes(fixture.store.db, fixture.orgId);
    const turn = await runAgentTurn({
      context: { ...(await fixture.context(OWNER)), channel: 'agent' },
      planner: await choosePlanner('builtin'),
      text,
    });
    const call = turn.calls.find((found) => found.operation === 'set_policy_modes');
    expect(call?.input, turn.reply).toMatchObject(expected);
    expect(call?.proposal, turn.reply).toBeTruthy();
    expect(['pass', 'warn']).toContain(call?.outcome);
    expect(await viewModes(fixture.store.db, fixture.orgId)).toEqual(before); // proposing applies nothing
  });
});
