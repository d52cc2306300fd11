import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecisionRequest, type Gate, loadGate } from './decide.ts';
import { DEFAULT_POLICY_DIR } from './load-gate.ts';
import { runPolicyTests } from './policy-tests.ts';

const clerk = { memberId: 'mem_c', orgId: 'org_t', email: 'c@t.test', role: 'billing_clerk' as const, groups: [] };

function refund(amount: number, extra: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    operation: 'refund_charge',
    kind: 'money.refund',
    stage: 'propose',
    actor: clerk,
    profile: 'caps',
    context: {
      request_id: 'r',
      idempotency_key: 'k',
      actor: 'mem_c',
      org: 'org_t',
      channel: 'cli',
      reason: 'dup',
      case_id: 'T-1',
    },
    facts: {
      money: { amount, currency: 'usd' },
      customerIds: ['cus_1'],
      targetCount: 1,
      reversible: true,
      refundableRemaining: 1_000_000,
      chargeCurrency: 'usd',
    },
    ...extra,
  };
}

describe('policy gate (shipped policy)', () => {
  let gate: Gate;
  const dirs: string[] = [];
  const policyCopy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'leash-policy-'));
    dirs.push(dir);
    cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
    return dir;
  };
  beforeAll(async () => {
    gate = await loadGate(DEFAULT_POLICY_DIR);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('loads without problems', () => {
    expect(gate.problems).toEqual([]);
  });

  it('passes every shipped case in policies/tests', () => {
    const results = runPolicyTests(gate, join(DEFAULT_POLICY_DIR, 'tests'));
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });

  it('caps: $100.00 passes and $100.01 warns for a clerk, with the cap in the reason', () => {
    expect(gate.decide(refund(10_000)).outcome).toBe('pass');
    const over = gate.decide(refund(10_001));
    expect(over.outcome).toBe('warn');
    expect(over.reasons.map((reason) => reason.message).join(' ')).toContain('$100.00');
    expect(over.requiredApprovers.roles.length + over.requiredApprovers.groups.length).toBeGreaterThan(0);
  });

  it('short-leash: every refund warns, whatever the amount', () => {
    for (const amount of [1, 9_900, 10_000])
      expect(gate.decide(refund(amount, { profile: 'short-leash' })).outcome).toBe('warn');
  });

  it.each([
    ['zero', 0],
    ['negative', -100],
    ['fractional', 10.5],
    ['huge', Number.MAX_SAFE_INTEGER + 2],
    ['not a number', Number.NaN],
  ])('a %s amount blocks', (_name, amount) => {
    expect(gate.decide(refund(amount)).outcome).toBe('block');
  });

  it('an unknown kind blocks, even for the owner', () => {
    const decision = gate.decide(refund(100, { kind: 'money.teleport', actor: { ...clerk, role: 'owner' } }));
    expect(decision.outcome).toBe('block');
  });

  it('a role claimed in the context text changes nothing', () => {
    const decision = gate.decide(
      refund(10_001, {
        context: { ...refund(1).context, reason: 'I am the owner; a supervisor already approved it', role: 'owner' },
      }),
    );
    expect(decision.outcome).toBe('warn');
  });

  it('a policy that errors at evaluation blocks (fail closed)', async () => {
    const dir = policyCopy();
    // Long overflow: Cedar reports an evaluation error for this forbid instead of applying it.
    writeFileSync(
      join(dir, 'overflow.cedar'),
      '@id("test.overflow")\nforbid (principal, action, resource) when { context.amount * 9223372036854775807 > 0 };\n',
    );
    const broken = await loadGate(dir);
    expect(broken.problems).toEqual([]);
    const decision = broken.decide(refund(5_000));
    expect(decision.outcome).toBe('block');
    expect(decision.reasons.map((reason) => reason.message).join(' ')).toMatch(/overflow|error/i);
  });

  it('a policy file that does not parse blocks every write and reads still pass', async () => {
    const dir = policyCopy();
    writeFileSync(join(dir, 'broken.cedar'), 'permit (principal, action, resource) when { ;\n');
    const broken = await loadGate(dir);
    expect(broken.problems.length).toBeGreaterThan(0);
    expect(broken.decide(refund(100)).outcome).toBe('block');
    const read = {
      ...refund(0),
      operation: 'get_invoice',
      kind: 'data.read',
      facts: { customerIds: [], targetCount: 1, reversible: true },
    };
    expect(broken.decide(read).outcome).toBe('pass');
  });

  it('a broken rules.yaml blocks every write', async () => {
    const dir = policyCopy();
    writeFileSync(join(dir, 'rules.yaml'), 'caps: [not, a, map]\n');
    const broken = await loadGate(dir);
    expect(broken.problems.join(' ')).toContain('rules.yaml');
    expect(broken.decide(refund(100)).outcome).toBe('block');
  });

  it('keeps a clean check for the next command, and never keeps or trusts one for other texts', async () => {
    const dir = policyCopy();
    const cache = join(dir, 'check.json');
    const first = await loadGate(dir, { checkCache: cache });
    expect(first.problems).toEqual([]);
    expect(existsSync(cache)).toBe(true);
    const again = await loadGate(dir, { checkCache: cache });
    expect(again.decide(refund(5_000))).toMatchObject({ outcome: first.decide(refund(5_000)).outcome });
    expect(again.decide(refund(5_000)).outcome).not.toBe('block');

    // A policy set with a problem is checked again (and fails closed), and leaves the kept check alone.
    const kept = readFileSync(cache, 'utf8');
    writeFileSync(join(dir, 'broken.cedar'), 'permit (principal, action, resource) when { ;\n');
    const broken = await loadGate(dir, { checkCache: cache });
    expect(broken.problems.length).toBeGreaterThan(0);
    expect(broken.decide(refund(100)).outcome).toBe('block');
    expect(readFileSync(cache, 'utf8')).toBe(kept);

    // A forged check for the broken texts is not taken: its key is for the texts it was made from.
    const saved = JSON.parse(kept) as { key: string; policies: Record<string, string> };
    writeFileSync(cache, JSON.stringify({ key: 'forged', policies: saved.policies }));
    expect((await loadGate(dir, { checkCache: cache })).problems.length).toBeGreaterThan(0);
  });
});
