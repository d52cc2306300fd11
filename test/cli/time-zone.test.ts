/**
 * `leash users time-zone` end to end (issue 18): the real CLI on a fresh data directory. A member with none set
 * reads times in UTC; setting an IANA zone saves it, is audited with before and after, and `--clear` clears it.
 * Offsets, unknown zones, a zone with --clear and a bad `--tz` exit 2 naming the field and change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runLeash } from '../support/cli.ts';

const OWNER = 'owner@zones.test';
const scratch = mkdtempSync(join(tmpdir(), 'leash-zones-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: join(scratch, 'data') };
for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG', 'LEASH_POLICY_DIR']) delete env[name];
const leash = (args: string[]) => runLeash(args, { env });

interface Shown {
  email: string;
  timeZone: string | null;
  shownIn: string;
}

describe('leash users time-zone', () => {
  beforeAll(async () => {
    const init = await leash(['init', '--owner', OWNER, '--json']);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);

  it('shows none set (UTC), saves a zone with an audit row, and clears it', async () => {
    const before = await leash(['users', 'time-zone', '--as', OWNER]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('none set; times are shown in UTC');

    const set = await leash(['users', 'time-zone', 'Asia/Kolkata', '--as', OWNER, '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(json<Shown>(set)).toEqual({ email: OWNER, timeZone: 'Asia/Kolkata', shownIn: 'Asia/Kolkata' });
    expect((await leash(['users', 'time-zone', '--as', OWNER])).stdout).toContain(`${OWNER}: Asia/Kolkata`);

    const audit = await leash(['audit', 'tail', '--event', 'member.time_zone_changed', '--as', OWNER, '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const rows = json<{ event: string; payload?: unknown }[]>(audit);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain('Asia/Kolkata');

    const cleared = await leash(['users', 'time-zone', '--clear', '--as', OWNER, '--json']);
    expect(json<Shown>(cleared).timeZone).toBeNull();
  }, 120_000);

  it('refuses offsets, unknown zones and a bad --tz with exit 2 naming the field, and saves nothing', async () => {
    for (const [args, field] of [
      [['users', 'time-zone', '+05:30', '--as', OWNER], 'zone'],
      [['users', 'time-zone', 'Mars/Olympus', '--as', OWNER], 'zone'],
      [['users', 'time-zone', 'UTC', '--clear', '--as', OWNER], 'clear'],
      [['--tz', 'Nowhere/Atall', 'users', 'time-zone', '--as', OWNER], 'tz'],
    ] as const) {
      const refused = await leash([...args]);
      expect(refused.code, `${args.join(' ')}: ${refused.stdout}${refused.stderr}`).toBe(2);
      expect(`${refused.stdout}${refused.stderr}`).toContain(field);
      expect(`${refused.stdout}${refused.stderr}`).not.toMatch(/internal error|at \w+ \(/);
    }
    const after = json<Shown>(await leash(['users', 'time-zone', '--as', OWNER, '--json']));
    expect(after.timeZone).toBeNull();
  }, 120_000);
});
