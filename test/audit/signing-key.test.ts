/**
 * The audit signing key and checkpoints on disk (ADR 0015): a 0600 key file and a checkpoint directory beside the
 * data, what happens when the key file goes missing or is replaced without a rotation, and
 * LEASH_AUDIT_SIGNING_KEY (PEM or base64 DER).
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/append-audit-event.ts';
import { bindAuditStore } from '../../src/audit/audit-setup.ts';
import { writeCheckpoint } from '../../src/audit/checkpoints.ts';
import { parseSigningKey, SIGNING_KEY_ENV } from '../../src/audit/signing-key.ts';
import { verifyAuditLog } from '../../src/audit/verify-audit-chain.ts';
import type { Store } from '../../src/store/db.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

describe(`the audit signing key on disk (${testStoreKind})`, () => {
  let store: Store;
  let dataDir: string;
  const orgId = 'org_keys';
  const append = () => appendAuditEvent(store.db, { orgId, event: 'data.read', channel: 'cli' });

  beforeAll(async () => {
    store = await openTestStore();
    dataDir = mkdtempSync(join(tmpdir(), 'leash-audit-key-'));
    bindAuditStore(store.db, { dataDir });
  });
  afterEach(() => {
    delete process.env[SIGNING_KEY_ENV];
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a 0600 key file and keeps trusted keys and checkpoints beside the data', async () => {
    for (let index = 0; index < 3; index += 1) await append();
    const keyFile = join(dataDir, 'audit-signing-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const keys = readFileSync(join(dataDir, 'audit-checkpoints', 'keys.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(keys).toHaveLength(1);
    const checkpoint = await writeCheckpoint(store.db, orgId);
    expect(checkpoint).toMatchObject({ org: orgId, seq: 3, key_id: JSON.parse(keys[0] as string).key_id });
    const lines = readFileSync(join(dataDir, 'audit-checkpoints', `${orgId}.jsonl`), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(lines.at(-1) as string)).toEqual(checkpoint);
    // The database holds no private key: only key ids and signatures.
    const stored = await sql<{ text: string }>`select row_to_json(a)::text as text from audit_events a`.execute(
      store.db,
    );
    expect(stored.rows.map((row) => row.text).join('\n')).not.toContain('PRIVATE');
    expect(await verifyAuditLog(store.db, orgId)).toMatchObject({ ok: true, rows: 3, checkpoints: { checked: 1 } });
  });

  it('refuses to sign when the key file is missing, and still verifies with the trusted public key', async () => {
    const keyFile = join(dataDir, 'audit-signing-key');
    const pem = readFileSync(keyFile, 'utf8');
    rmSync(keyFile);
    bindAuditStore(store.db, { dataDir }); // as a new process would start
    await expect(append()).rejects.toThrow(/audit signing key .* is missing/);
    expect(existsSync(keyFile)).toBe(false);
    expect(await verifyAuditLog(store.db, orgId)).toMatchObject({ ok: true, rows: 3 });

    // The same key through the environment, as PEM or as base64 DER, signs again.
    process.env[SIGNING_KEY_ENV] = pem;
    await append();
    const der = parseSigningKey(pem, 'pem').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    process.env[SIGNING_KEY_ENV] = der;
    bindAuditStore(store.db, { dataDir });
    await append();
    expect(await verifyAuditLog(store.db, orgId)).toMatchObject({ ok: true, rows: 5 });
    writeFileSync(keyFile, pem, { mode: 0o600 });
  });

  it('refuses to sign with a key changed without a rotation, and verify names rows signed by it', async () => {
    const keyFile = join(dataDir, 'audit-signing-key');
    const original = readFileSync(keyFile, 'utf8');
    const other = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(keyFile, other);
    bindAuditStore(store.db, { dataDir });
    await expect(append()).rejects.toThrow(/signed with key .* but this process holds key .* which no/);
    expect(await verifyAuditLog(store.db, orgId)).toMatchObject({ ok: true, rows: 5 });

    process.env[SIGNING_KEY_ENV] = 'not a key';
    await expect(append()).rejects.toThrow(/LEASH_AUDIT_SIGNING_KEY is not a PKCS#8 Ed25519 private key/);
    delete process.env[SIGNING_KEY_ENV];

    writeFileSync(keyFile, original);
    bindAuditStore(store.db, { dataDir });
    await append();
    expect(await verifyAuditLog(store.db, orgId)).toMatchObject({ ok: true, rows: 6 });
  });

  it('does not trust a key it was never given: a whole log re-signed by another key fails', async () => {
    // A store whose trusted keys are elsewhere (another data directory) sees this log's key as unknown.
    const elsewhere = mkdtempSync(join(tmpdir(), 'leash-audit-other-'));
    try {
      bindAuditStore(store.db, { dataDir: elsewhere });
      expect((await verifyAuditLog(store.db, orgId)).firstBadRow).toMatchObject({
        seq: 1,
        reason: expect.stringMatching(/not among the trusted keys/),
      });
    } finally {
      bindAuditStore(store.db, { dataDir });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
