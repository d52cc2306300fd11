/**
 * `leash policy mode show|set` end to end (issue 20): the real CLI on a fresh data directory. Narrowing to
 * insight-only passes and applies; a write then BLOCKs (exit 3) naming the mode and the command that turns it
 * on; bad input exits 2 and changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runLeash } from '../support/cli.ts';

const OWNER = 'owner@modes.test';
const scratch = mkdtempSync(join(tmpdir(), 'leash-modes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: join(scratch, 'data') };
for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG', 'LEASH_POLICY_DIR']) delete env[name];
const leash = (args: string[]) => runLeash(args, { env });

describe('leash policy mode', () => {
  beforeAll(async () => {
    const init = await leash(['init', '--owner', OWNER, '--json']);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);

  it('shows full by default, sets insight-only, and a write then BLOCKs naming Act mode', async () => {
    const shown = json<{ preset: string; roles: { role: string; modes: string[] }[] }>(
      await leash(['policy', 'mode', 'show', '--json']),
    );
    expect(shown.preset).toBe('full');
    expect(shown.roles.find((row) => row.role === 'billing_clerk')?.modes).toEqual(['insight', 'act', 'integrate']);

    const set = await leash(['policy', 'mode', 'set', 'insight-only', '--as', OWNER, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(json<{ status: string }>(set).status).toBe('succeeded');
    const table = await leash(['policy', 'mode', 'show']);
    expect(table.stdout).toContain('Preset: insight-only');
    expect(table.stdout).toMatch(/billing_clerk\s+on\s+off\s+off/);

    const write = await leash([
      'run',
      'create_customer',
      '--as',
      OWNER,
      '--input',
      JSON.stringify({
        name: 'Acme',
        email: 'a@acme.test',
        country: 'US',
        currency: 'usd',
        reason: 'new',
        case_id: 'T-1',
      }),
    ]);
    expect(write.code).toBe(3);
    expect(write.stdout).toContain(
      'Act mode is off for owners in this org (preset insight-only); the owner can turn it on: leash policy mode set support-act',
    );
  }, 120_000);

  it('rejects bad input with exit 2 and changes nothing', async () => {
    for (const args of [
      ['set', 'everything'],
      ['set', 'custom', '--modes', 'act'],
      ['set', 'custom', '--role', 'billing_clerk', '--modes', 'act,teleport'],
      ['set', 'support-act', '--credit-limit', 'fifty'],
      ['set', 'support-act', '--credit-limit', '50', '--currency', 'xyz'],
    ]) {
      const result = await leash(['policy', 'mode', ...args, '--as', OWNER]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).not.toMatch(/\.ts\b|node_modules/);
    }
    expect(json<{ preset: string }>(await leash(['policy', 'mode', 'show', '--json'])).preset).toBe('insight-only');
  }, 120_000);
});
