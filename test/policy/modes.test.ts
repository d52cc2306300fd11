/** Modes at the gate (issue 20): each preset × each kind, the credit limit, fail-closed and widening. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ModeSettings,
  modeSettingsSchema,
  presetSettings,
  resolveGrant,
  UNREADABLE_GRANT,
  widens,
} from '../../src/domain/modes.ts';
import type { Role } from '../../src/domain/roles.ts';
import { ACTION_KINDS } from '../../src/policy/action-kinds.ts';
import { type DecisionRequest, type Gate, loadGate } from '../../src/policy/decide.ts';
import { DEFAULT_POLICY_DIR } from '../../src/policy/load-gate.ts';

const owner = { memberId: 'mem_o', orgId: 'org_t', email: 'o@t.test', role: 'owner' as Role, groups: [] };

function request(kind: string, grant: DecisionRequest['modes'], extra: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    operation: kind === 'money.credit' ? 'credit_customer' : `op_${kind}`,
    kind,
    stage: 'propose',
    actor: owner,
    profile: 'caps',
    context: {
      request_id: 'r',
      idempotency_key: 'k',
      actor: owner.memberId,
      org: owner.orgId,
      channel: 'cli',
      reason: 'test',
      case_id: 'T-1',
    },
    facts: {
      customerIds: ['cus_1'],
      targetCount: 1,
      reversible: true,
      ...(kind.startsWith('money.')
        ? { money: { amount: 2000, currency: 'usd' }, refundableRemaining: 1_000_000, chargeCurrency: 'usd' }
        : {}),
    },
    ...(grant ? { modes: grant } : {}),
    ...extra,
  };
}

const grantOf = (settings: ModeSettings | null, role: Role = 'owner') => resolveGrant(settings, 'mem_o', role);

// What each preset allows an owner (who holds every kind by role), kind by kind.
const EXPECTED: Record<'insight-only' | 'support-act' | 'full', readonly string[]> = {
  'insight-only': ['data.read', 'data.export', 'identity.user_create', 'identity.role_change'],
  'support-act': [
    'data.read',
    'data.export',
    'support.case_update',
    'messaging.draft',
    'messaging.send',
    'money.credit',
    'identity.user_create',
    'identity.role_change',
  ],
  full: ACTION_KINDS,
};

describe('modes at the gate', () => {
  let gate: Gate;
  beforeAll(async () => {
    gate = await loadGate(DEFAULT_POLICY_DIR);
  });

  for (const preset of ['insight-only', 'support-act', 'full'] as const) {
    it(`${preset}: allows exactly its kinds; the others BLOCK naming the mode`, () => {
      const grant = grantOf(presetSettings(preset));
      for (const kind of ACTION_KINDS) {
        const decision = gate.decide(request(kind, grant));
        const modeReason = decision.reasons.find((reason) => reason.policyId.startsWith('mode.'));
        if (EXPECTED[preset].includes(kind)) expect(modeReason, `${preset} ${kind}`).toBeUndefined();
        else {
          expect(decision.outcome, `${preset} ${kind}`).toBe('block');
          expect(modeReason?.message, kind).toMatch(/^(Act|Integrate) mode /);
        }
      }
    });
  }

  it('names the mode, the role, the preset and the command that turns it on', () => {
    const grant = grantOf(presetSettings('insight-only'), 'billing_clerk');
    const clerk = { ...owner, role: 'billing_clerk' as const };
    const decision = gate.decide(request('money.refund', grant, { actor: clerk }));
    expect(decision.outcome).toBe('block');
    expect(decision.reasons[0]).toEqual({
      policyId: 'mode.off',
      message:
        'Act mode is off for billing clerks in this org (preset insight-only); the owner can turn it on: leash policy mode set support-act',
    });
  });

  it('support-act: refunds, plan changes and cancellations are outside its Act kinds', () => {
    const grant = grantOf(presetSettings('support-act'));
    for (const kind of ['money.refund', 'billing.change', 'billing.cancel']) {
      const decision = gate.decide(request(kind, grant));
      expect(decision.reasons[0]?.policyId, kind).toBe('mode.kind_limited');
    }
  });

  it('support-act: a credit up to the limit passes the mode, over it (or in another currency) BLOCKs', () => {
    const grant = grantOf(presetSettings('support-act'));
    const credit = (amount: number, currency = 'usd') =>
      gate.decide(
        request('money.credit', grant, {
          facts: { customerIds: ['cus_1'], targetCount: 1, reversible: true, money: { amount, currency } },
        }),
      );
    expect(credit(5000).outcome).toBe('pass');
    const over = credit(5001);
    expect(over.outcome).toBe('block');
    expect(over.reasons[0]?.policyId).toBe('mode.credit_limit');
    expect(over.reasons[0]?.message).toContain('$50.00');
    expect(credit(100, 'eur').reasons[0]?.policyId).toBe('mode.credit_limit');
    const raised = grantOf(presetSettings('support-act', { amount: 10_000, currency: 'usd' }));
    expect(
      gate.decide(
        request('money.credit', raised, {
          facts: { customerIds: ['cus_1'], targetCount: 1, reversible: true, money: { amount: 8000, currency: 'usd' } },
        }),
      ).outcome,
    ).toBe('pass');
  });

  it('a member override comes before the role, and says "for you"', () => {
    const settings = { ...presetSettings('insight-only'), members: { mem_o: ['insight', 'act'] as const } };
    const settingsParsed = modeSettingsSchema.parse(settings);
    expect(gate.decide(request('billing.change', grantOf(settingsParsed))).outcome).toBe('pass');
    const narrowed = modeSettingsSchema.parse({ ...presetSettings('full'), members: { mem_o: ['insight'] } });
    const blocked = gate.decide(request('billing.change', grantOf(narrowed)));
    expect(blocked.reasons[0]?.message).toContain('for you (o@t.test)');
  });

  it('fails closed: unreadable settings give Insight only', () => {
    expect(grantOf(null)).toEqual(UNREADABLE_GRANT);
    expect(gate.decide(request('data.read', UNREADABLE_GRANT)).outcome).toBe('pass');
    const write = gate.decide(request('messaging.draft', UNREADABLE_GRANT));
    expect(write.outcome).toBe('block');
    expect(write.reasons[0]?.message).toContain('unreadable settings');
  });

  it('widening the modes WARNs under short-leash (routed to a billing manager or owner); narrowing passes', () => {
    const change = (widened: boolean) =>
      gate.decide(
        request('identity.role_change', grantOf(presetSettings('full')), {
          operation: 'set_policy_modes',
          profile: 'short-leash',
          facts: { customerIds: [], targetCount: 1, reversible: true, modeChange: { widens: widened } },
        }),
      );
    const widened = change(true);
    expect(widened.outcome).toBe('warn');
    expect(widened.reasons[0]?.policyId).toBe('mode.widen');
    expect(widened.requiredApprovers.roles).toContain('billing_manager');
    expect(change(false).outcome).toBe('pass');
  });

  it('knows what widens', () => {
    const insight = presetSettings('insight-only');
    const support = presetSettings('support-act');
    const full = presetSettings('full');
    expect(widens(insight, support)).toBe(true);
    expect(widens(support, full)).toBe(true);
    expect(widens(full, support)).toBe(false);
    expect(widens(support, insight)).toBe(false);
    expect(widens(support, presetSettings('support-act', { amount: 9000, currency: 'usd' }))).toBe(true);
    expect(widens(support, presetSettings('support-act', { amount: 1000, currency: 'usd' }))).toBe(false);
  });
});
