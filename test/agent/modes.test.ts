/**
 * Modes in chat (issue 20): under insight-only the built-in planner's refund proposal is blocked, and the reply
 * names the mode, the preset and the command that turns it on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePlanner } from '../../src/agent/planners.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
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
});
