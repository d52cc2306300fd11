/**
 * `leash audit checkpoint|rotate-key|verify --json` end to end (the real command on an embedded data directory):
 * the verdict's exact shape, checkpoints written to `<data dir>/audit-checkpoints`, a rotation that still
 * verifies, and a tail deleted with its head rewound behind the command's back, named with a non-zero exit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { openStore } from '../../src/store/db.ts';
import { type CliResult, json, runLeash } from '../support/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'leash-audit-cli-'));

function leash(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_AUDIT_SIGNING_KEY'])
    delete env[name];
  delete env.LEASH_AUDIT_CHECKPOINTS;
  return runLeash(args, { env, timeoutMs: 180_000 });
}

interface Verdict {
  ok: boolean;
  rows: number;
  first_bad_row: { seq: number; id: string; reason: string } | null;
  checkpoints: { checked: number; latest_seq: number | null };
}

describe('leash audit on the command line', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('checkpoints, rotates and verifies; a rewound tail fails verify with the missing range', async () => {
    const demo = await leash(['demo', '--customers', '5', '--months', '1', '--seed', '7', '--json']);
    expect(demo.code, demo.stderr).toBe(EXIT.ok);
    // Each read is audited (the demo itself writes no audit rows).
    for (const query of ['', 'a', 'b']) expect((await leash(['customers', query, '--json'])).code).toBe(EXIT.ok);

    const written = await leash(['audit', 'checkpoint', '--json']);
    expect(written.code, written.stderr).toBe(EXIT.ok);
    const { checkpoint, directory } = json<{ checkpoint: { seq: number; key_id: string }; directory: string }>(written);
    expect(directory).toBe(join(dataDir, 'audit-checkpoints'));
    expect(checkpoint.seq).toBeGreaterThan(1);
    const files = readFileSync(join(directory, 'keys.jsonl'), 'utf8');
    expect(files).toContain(checkpoint.key_id);

    const rotated = await leash(['audit', 'rotate-key', '--json']);
    expect(rotated.code, rotated.stderr).toBe(EXIT.ok);
    const rotation = json<{ old_key_id: string; new_key_id: string; orgs: string[] }>(rotated);
    expect(rotation.old_key_id).toBe(checkpoint.key_id);
    expect(rotation.orgs).toHaveLength(1);

    const verify = await leash(['audit', 'verify', '--json']);
    expect(verify.code, verify.stderr).toBe(EXIT.ok);
    const verdict = json<Verdict>(verify);
    expect(verdict).toEqual({
      ok: true,
      rows: verdict.rows,
      first_bad_row: null,
      checkpoints: { checked: verdict.checkpoints.checked, latest_seq: verdict.checkpoints.latest_seq },
    });
    expect(Object.keys(verdict)).toEqual(['ok', 'rows', 'first_bad_row', 'checkpoints']);
    // The rotation wrote a checkpoint after the one asked for; each CLI command checkpoints on close.
    expect(verdict.checkpoints.checked).toBeGreaterThanOrEqual(2);
    expect(verdict.checkpoints.latest_seq).toBe(verdict.rows);

    // Whoever holds the database deletes the last three rows (there is no head row to rewind: ADR 0023).
    const store = await openStore({ dataDir });
    const latest = verdict.rows;
    try {
      await store.db.transaction().execute(async (trx) => {
        await sql`alter table audit_events disable trigger audit_events_no_change`.execute(trx);
        await sql`delete from audit_events where seq > ${latest - 3}`.execute(trx);
        await sql`alter table audit_events enable trigger audit_events_no_change`.execute(trx);
      });
    } finally {
      await store.close();
    }
    const broken = await leash(['audit', 'verify', '--json']);
    expect(broken.code).toBe(EXIT.failure);
    expect(json<Verdict>(broken)).toMatchObject({
      ok: false,
      rows: latest - 3,
      first_bad_row: { seq: latest - 2, id: '', reason: expect.stringMatching(/are missing: the checkpoint/) },
      checkpoints: { latest_seq: latest },
    });
    const plain = await leash(['audit', 'verify']);
    expect(plain.code).toBe(EXIT.failure);
    expect(plain.stdout).toMatch(/audit log BROKEN at seq/);
  }, 600_000);
});
