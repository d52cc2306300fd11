/**
 * `default_profile` in rules.yaml decides the profile of every org Leash creates (issue 17: it was ignored, every
 * org got `short-leash`): `leash init` and `leash demo` (which `leash start` runs on first start) create the org
 * under it, and the profile then decides: a clerk's $1 refund is PASS under `caps`, WARN under `short-leash`.
 * The real CLI runs on real data directories, with LEASH_POLICY_DIR pointing at a copy of the shipped policies.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_DIR } from '../../src/policy/load-gate.ts';
import { openStore } from '../../src/store/db.ts';
import { json, runLeash } from '../support/cli.ts';

const CLERK = 'carl@northwind.test';
const scratch = mkdtempSync(join(tmpdir(), 'leash-default-profile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the shipped policies whose rules.yaml names `profile` as the default. */
function policiesWithDefault(profile: 'caps' | 'short-leash'): string {
  const dir = join(scratch, `policies-${profile}`);
  cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
  const rules = readFileSync(join(dir, 'rules.yaml'), 'utf8');
  const edited = rules.replace(/^default_profile: .*$/m, `default_profile: ${profile}`);
  expect(edited).toContain(`default_profile: ${profile}`);
  writeFileSync(join(dir, 'rules.yaml'), edited);
  return dir;
}

function env(dataDir: string, policies: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir, LEASH_POLICY_DIR: policies };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG']) delete environment[name];
  return environment;
}

/** A succeeded charge of the demo business, read from its data directory. */
async function someCharge(dataDir: string): Promise<{ id: string }> {
  const store = await openStore({ dataDir });
  try {
    const charge = await store.db
      .selectFrom('charges')
      .select('id')
      .where('status', '=', 'succeeded')
      .where('amount', '>=', 100)
      .where('currency', '=', 'usd')
      .orderBy('id')
      .executeTakeFirst();
    if (!charge) throw new Error('the demo has no usd charge');
    return charge;
  } finally {
    await store.close();
  }
}

describe('default_profile decides the profile of a new org', () => {
  it.each(['caps', 'short-leash'] as const)(
    'leash init under default_profile %s creates the org with it',
    async (profile) => {
      const dataDir = join(scratch, `init-${profile}`);
      const result = await runLeash(['init', '--owner', 'owner@profile.test', '--json'], {
        env: env(dataDir, policiesWithDefault(profile)),
      });
      expect(result.code, result.stderr).toBe(0);
      expect(json<{ org: { policyProfile: string } }>(result).org.policyProfile).toBe(profile);
    },
    120_000,
  );

  it.each([
    ['caps', 'pass'],
    ['short-leash', 'warn'],
  ] as const)(
    "leash demo under default_profile %s: the org runs it, and a clerk's one-dollar refund is %s",
    async (profile, outcome) => {
      const dataDir = join(scratch, `demo-${profile}`);
      const policies = policiesWithDefault(profile);
      const demo = await runLeash(
        ['demo', '--customers', '8', '--months', '2', '--seed', '7', '--end', '2026-06-01', '--json'],
        { env: env(dataDir, policies) },
      );
      expect(demo.code, demo.stderr).toBe(0);
      expect(json<{ org: { policyProfile: string } }>(demo).org.policyProfile).toBe(profile);
      const charge = await someCharge(dataDir);
      const input = { charge_id: charge.id, amount: 100, reason: 'charged twice', case_id: 'T-1' };
      const refund = await runLeash(
        ['run', 'refund_charge', '--as', CLERK, '--input', JSON.stringify(input), '--json'],
        {
          env: env(dataDir, policies),
        },
      );
      expect(refund.code, refund.stderr).toBe(0);
      expect(json<{ decision: { outcome: string } }>(refund).decision.outcome).toBe(outcome);
    },
    180_000,
  );
});
