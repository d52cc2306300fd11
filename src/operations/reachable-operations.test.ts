/**
 * A member's reach, from the real Cedar policies and rules: what each demo member's role may attempt, whether
 * approvals can be routed to them, and that the gate still decides (a hidden operation is blocked, not gone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLERK,
  FINANCE,
  type LeashFixture,
  MANAGER,
  OWNER,
  openLeashFixture,
  READER,
  SUPPORT_LEAD,
} from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { isRead } from './define-operation.ts';
import { reachableOperations } from './reachable-operations.ts';
import { registry } from './registry.ts';

const READS = [...registry.values()].filter(isRead).map((operation) => operation.name);
const WRITES = [...registry.values()].filter((operation) => !isRead(operation)).map((operation) => operation.name);

describe(`reachable operations (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  const reach = async (email: string, profile: 'short-leash' | 'caps' = 'short-leash') => {
    const found = reachableOperations(await fixture.context(email, { profile, channel: 'mcp' }));
    return { ...found, names: found.operations.map((operation) => operation.name) };
  };

  it.each([
    // member, writes in reach (sample), writes out of reach (sample), confirm, approve (short-leash)
    [READER, [], WRITES, false, false],
    [
      CLERK,
      ['refund_charge', 'update_customer', 'create_ticket', 'send_reply'],
      ['cancel_subscription', 'create_plan', 'add_member', 'credit_customer'],
      true,
      false,
    ],
    // A billing manager approves webhook endpoints under short-leash (approve.webhook).
    [MANAGER, ['refund_charge', 'cancel_subscription', 'credit_customer'], ['create_plan', 'add_member'], true, true],
    [SUPPORT_LEAD, ['cancel_subscription'], ['create_plan', 'change_member_role'], true, true],
    [FINANCE, ['refund_charge', 'create_plan', 'create_price'], ['add_member'], true, true],
    [OWNER, WRITES, [], true, true],
  ] as const)('%s', async (email, inReach, outOfReach, confirm, approve) => {
    const found = await reach(email);
    expect(found.names).toEqual(expect.arrayContaining(READS));
    for (const name of inReach) expect(found.names).toContain(name);
    for (const name of outOfReach) expect(found.names).not.toContain(name);
    expect(found.confirm).toBe(confirm);
    expect(found.approve).toBe(approve);
  });

  it('a billing manager outside every group can approve where a rule routes to managers: webhook endpoints (short-leash), over-cap requests (caps)', async () => {
    expect((await reach(MANAGER, 'short-leash')).approve).toBe(true);
    expect((await reach(MANAGER, 'caps')).approve).toBe(true);
    expect((await reach(CLERK, 'caps')).approve).toBe(false);
  });

  it('reach is a listing only: the gate still blocks what a role cannot do, on role grounds', async () => {
    const context = await fixture.context(READER);
    const decision = context.gate.decide({
      operation: 'refund_charge',
      kind: 'money.refund',
      stage: 'propose',
      actor: context.actor,
      profile: 'short-leash',
      context: {
        request_id: 'req_1',
        actor: context.actor.memberId,
        org: context.actor.orgId,
        channel: 'mcp',
        idempotency_key: 'k',
        case_id: 'T-1',
        reason: 'x',
      },
      facts: { customerIds: [], targetCount: 1, reversible: false, money: { amount: 100, currency: 'usd' } },
    });
    expect(decision).toMatchObject({ outcome: 'block', reasons: [{ policyId: 'role.not_permitted' }] });
  });
});
