/**
 * Issue 17: whoever holds the database must not be able to rewrite the audit log unseen. Each test replays a
 * tamper on the store the suite runs on (embedded PGlite, or PostgreSQL with DATABASE_URL) and requires
 * `verifyAuditLog` to name it: deleting the tail, editing a row and re-chaining from there, deleting a row and
 * renumbering and re-chaining, a forged append by the application role, and the tail deleted with the history
 * appended again (a fork). Plus key rotation. Since ADR 0023 there is no head row: the chain ends at its last row,
 * so "rewinding the head" is deleting the tail rows, and the application role has no head to touch.
 */
import { generateKeyPairSync } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, appendAuditEvents } from '../../src/audit/append-audit-event.ts';
import { writeCheckpoint } from '../../src/audit/checkpoints.ts';
import { GENESIS_HASH } from '../../src/audit/events.ts';
import { type AuditBody, chainHash, type HashedAuditFields, hashAuditBody } from '../../src/audit/hash-event.ts';
import { rotateAuditKey } from '../../src/audit/rotate-key.ts';
import { keyIdOf, signRowHash } from '../../src/audit/signing-key.ts';
import { verifyAuditLog } from '../../src/audit/verify-audit-chain.ts';
import type { Store } from '../../src/store/db.ts';
import type { Database } from '../../src/store/schema.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

type Row = HashedAuditFields & { hash: string; keyId: string | null; signature: string | null };

async function seed(db: Kysely<Database>, orgId: string, count: number): Promise<void> {
  for (let index = 1; index <= count; index += 1)
    await appendAuditEvent(db, { orgId, event: 'data.read', channel: 'cli', arguments: { index } });
}

async function rows(db: Kysely<Database>, orgId: string): Promise<Row[]> {
  return (await db
    .selectFrom('auditEvents')
    .selectAll()
    .where('orgId', '=', orgId)
    .orderBy('seq')
    .execute()) as unknown as Row[];
}

/** Runs `work` as the superuser would: the append-only triggers off for the duration. */
async function asSuperuser(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(trx);
    await work(trx);
    await sql`alter table audit_events enable trigger audit_events_no_change`.execute(trx);
  });
}

/** Writes `chain` back with every link recomputed (the chain ends at its last row: no head to move). */
async function rechain(trx: Kysely<Database>, chain: Row[]): Promise<void> {
  let previous = GENESIS_HASH;
  for (const [index, row] of chain.entries()) {
    const seq = index + 1;
    const { hash: _old, keyId: _keyId, signature: _signature, seq: _seq, prevHash: _prev, ...body } = row;
    const hash = chainHash(previous, seq, hashAuditBody(body));
    await sql`update audit_events set seq = ${seq}, prev_hash = ${previous}, hash = ${hash},
      arguments = ${JSON.stringify(row.arguments)}::jsonb where id = ${row.id}`.execute(trx);
    previous = hash;
  }
}

describe(`the audit log against whoever holds the database (${testStoreKind})`, () => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store.close());

  it('an untouched log verifies, signatures and checkpoints included', async () => {
    await seed(store.db, 'org_clean', 6);
    await writeCheckpoint(store.db, 'org_clean');
    const all = await rows(store.db, 'org_clean');
    expect(all.every((row) => row.keyId && row.signature)).toBe(true);
    expect(await verifyAuditLog(store.db, 'org_clean')).toEqual({
      ok: true,
      rows: 6,
      firstBadRow: null,
      checkpoints: { checked: 1, latestSeq: 6 },
    });
  });

  it('(a) deleting the last rows (the chain ends where its rows end: no head to rewind) is caught by the checkpoint', async () => {
    await seed(store.db, 'org_tail', 10);
    await writeCheckpoint(store.db, 'org_tail');
    await asSuperuser(store.db, async (trx) => {
      await sql`delete from audit_events where org_id = 'org_tail' and seq > 7`.execute(trx);
    });
    const verdict = await verifyAuditLog(store.db, 'org_tail');
    expect(verdict).toMatchObject({ ok: false, rows: 7, checkpoints: { checked: 1, latestSeq: 10 } });
    expect(verdict.firstBadRow).toMatchObject({ seq: 8, reason: expect.stringMatching(/rows 8–10 are missing/) });
  });

  it('(b) editing a row and recomputing the chain from there is caught by its signature', async () => {
    await seed(store.db, 'org_edit', 8);
    await asSuperuser(store.db, async (trx) => {
      const chain = await rows(trx, 'org_edit');
      (chain[3] as Row).arguments = { index: 4, amount: 1_000_000 };
      await rechain(trx, chain);
    });
    const verdict = await verifyAuditLog(store.db, 'org_edit');
    // No checkpoint covers this org: the signature alone finds the edit, at the edited row.
    expect(verdict.checkpoints.checked).toBe(0);
    expect(verdict).toMatchObject({ ok: false, rows: 3 });
    expect(verdict.firstBadRow).toMatchObject({ seq: 4, reason: expect.stringMatching(/signature/) });
  });

  it('(b) on a log long enough for the signatures to be checked on worker threads, names the edited row', async () => {
    const events = Array.from({ length: 6_000 }, (_, index) => ({
      orgId: 'org_long',
      event: 'data.read' as const,
      channel: 'cli',
      arguments: { index },
    }));
    await appendAuditEvents(store.db, events);
    expect(await verifyAuditLog(store.db, 'org_long')).toMatchObject({ ok: true, rows: 6_000 });
    await asSuperuser(store.db, async (trx) => {
      const chain = await rows(trx, 'org_long');
      (chain[5_499] as Row).arguments = { index: 5_499, forged: true };
      await rechain(trx, chain);
    });
    const verdict = await verifyAuditLog(store.db, 'org_long');
    expect(verdict).toMatchObject({ ok: false, rows: 5_499 });
    expect(verdict.firstBadRow).toMatchObject({ seq: 5_500, reason: expect.stringMatching(/signature/) });
  });

  it('(c) deleting a row, renumbering and re-chaining is caught at the first renumbered row', async () => {
    await seed(store.db, 'org_renumber', 8);
    const deleted = (await rows(store.db, 'org_renumber'))[4] as Row;
    await asSuperuser(store.db, async (trx) => {
      await sql`delete from audit_events where id = ${deleted.id}`.execute(trx);
      // Renumber from the top down so (org_id, seq) stays unique on the way.
      const chain = (await rows(trx, 'org_renumber')).filter((row) => row.id !== deleted.id);
      for (const row of chain.slice(4)) await sql`update audit_events set seq = -seq where id = ${row.id}`.execute(trx);
      await rechain(trx, chain);
    });
    const verdict = await verifyAuditLog(store.db, 'org_renumber');
    expect(verdict.checkpoints.checked).toBe(0);
    expect(verdict.firstBadRow).toMatchObject({ seq: 5, reason: expect.stringMatching(/signature/) });
  });

  it('(d) the application role cannot rewrite or remove rows nor insert one that does not link, and a forged append is caught', async () => {
    await seed(store.db, 'org_forged', 3);
    const asApp = (statement: ReturnType<typeof sql>) =>
      store.db.transaction().execute(async (trx) => {
        await sql`select set_config('role', 'leash_app', true), set_config('leash.org_id', 'org_forged', true)`.execute(
          trx,
        );
        return statement.execute(trx);
      });
    const [last] = (await rows(store.db, 'org_forged')).slice(-1) as Row[];
    const insertRow = (row: {
      id: string;
      org: string;
      seq: number;
      prev: string;
      hash: string;
      bodyHash: string | null;
    }) =>
      sql`insert into audit_events (id, org_id, seq, at, event, channel, arguments, decision, result, prev_hash, hash,
        body_hash) values (${row.id}, ${row.org}, ${row.seq}, now(), 'data.read', 'cli', 'null', 'null', 'null',
        ${row.prev}, ${row.hash}, ${row.bodyHash})`;
    // A row whose hash is not the link the trigger computes is refused, with or without a body hash to check it by.
    await expect(
      asApp(
        insertRow({ id: 'audit_x', org: 'org_forged', seq: 4, prev: last?.hash as string, hash: 'x', bodyHash: null }),
      ),
    ).rejects.toThrow(/does not link/);
    await expect(
      asApp(
        insertRow({ id: 'audit_x', org: 'org_forged', seq: 4, prev: last?.hash as string, hash: 'x', bodyHash: 'y' }),
      ),
    ).rejects.toThrow(/does not link/);
    // A row at another place in the chain (a fork after row 2, or a gap) is not written: the trigger answers nothing.
    const [second] = (await rows(store.db, 'org_forged')).slice(1, 2) as Row[];
    for (const place of [
      { seq: 3, prev: second?.hash as string },
      { seq: 5, prev: last?.hash as string },
      { seq: 4, prev: GENESIS_HASH },
    ]) {
      const written = await asApp(
        insertRow({
          id: `audit_fork_${place.seq}`,
          org: 'org_forged',
          ...place,
          hash: chainHash(place.prev, place.seq, 'b'),
          bodyHash: 'b',
        }),
      );
      expect(Number(written.numAffectedRows ?? 0)).toBe(0);
    }
    expect(await rows(store.db, 'org_forged')).toHaveLength(3);
    // Another org's chain is out of the role's reach, by row or through the batch function.
    await expect(
      asApp(insertRow({ id: 'audit_y', org: 'org_clean', seq: 7, prev: GENESIS_HASH, hash: 'x', bodyHash: 'b' })),
    ).rejects.toThrow(/outside the org scope/);
    // The head table is gone (ADR 0023): cutting the chain short means deleting its last rows, which the role
    // cannot do, nor rewrite them.
    await expect(asApp(sql`delete from audit_events where org_id = 'org_forged' and seq = 3`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      asApp(sql`update audit_events set arguments = '{"index": 99}'::jsonb where org_id = 'org_forged' and seq = 3`),
    ).rejects.toThrow(/permission denied/);
    await expect(asApp(sql`truncate audit_events`)).rejects.toThrow(/permission denied/);
    // The trigger cannot be dropped or turned off by the role.
    await expect(asApp(sql`alter table audit_events disable trigger audit_events_link`)).rejects.toThrow(
      /must be owner/,
    );

    // A forged row the trigger links correctly: only the audit key can sign it.
    const forged: AuditBody = {
      id: 'audit_forged',
      orgId: 'org_forged',
      at: new Date(Math.floor(Date.now())),
      event: 'execution.succeeded',
      actorId: 'mem_owner',
      actorEmail: null,
      actorRole: 'owner',
      channel: 'http',
      requestId: null,
      proposalId: null,
      operation: 'refund_charge',
      customerId: null,
      invoiceId: null,
      chargeId: null,
      arguments: null,
      decision: null,
      result: { refunded: 0 },
      userInput: null,
    };
    const bodyHash = hashAuditBody(forged);
    const hash = chainHash(last?.hash as string, 4, bodyHash);
    const attacker = generateKeyPairSync('ed25519');
    const attackerKey = {
      keyId: keyIdOf(attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')),
      privateKey: attacker.privateKey,
      publicKey: '',
      source: 'attacker',
    };
    const row = {
      n: 1,
      id: forged.id,
      at: forged.at.toISOString(),
      event: forged.event,
      actor_id: forged.actorId,
      actor_role: forged.actorRole,
      channel: forged.channel,
      operation: forged.operation,
      arguments: null,
      decision: null,
      result: forged.result,
      body_hash: bodyHash,
      hash,
      signature: signRowHash(attackerKey, hash),
    };
    await expect(
      asApp(
        sql`select leash_audit_append('org_clean', 6, ${last?.hash}, ${attackerKey.keyId}, ${JSON.stringify([row])}::jsonb)`,
      ),
    ).rejects.toThrow(/outside the org scope/);
    // A batch row that does not link to the last row (another place in the chain) is refused: the function links.
    await expect(
      asApp(
        sql`select leash_audit_append('org_forged', 3, ${last?.hash}, ${attackerKey.keyId}, ${JSON.stringify([{ ...row, hash: chainHash(GENESIS_HASH, 4, bodyHash) }])}::jsonb)`,
      ),
    ).rejects.toThrow(/do not link/);
    const written = await asApp(sql`insert into audit_events (id, org_id, seq, at, event, actor_id, actor_role, channel,
      operation, arguments, decision, result, prev_hash, hash, key_id, signature, body_hash)
      values (${forged.id}, 'org_forged', 4, ${forged.at.toISOString()}::timestamptz, ${forged.event}, ${forged.actorId},
      ${forged.actorRole}, ${forged.channel}, ${forged.operation}, 'null', 'null', ${JSON.stringify(forged.result)}::jsonb,
      ${last?.hash}, ${hash}, ${attackerKey.keyId}, ${row.signature}, ${bodyHash})`);
    expect(Number(written.numAffectedRows)).toBe(1);
    const [stored] = (await rows(store.db, 'org_forged')).slice(-1) as (Row & { bodyHash: unknown })[];
    expect(stored).toMatchObject({ seq: 4, hash, bodyHash: null });
    const verdict = await verifyAuditLog(store.db, 'org_forged');
    expect(verdict).toMatchObject({ ok: false, rows: 3 });
    expect(verdict.firstBadRow).toMatchObject({
      seq: 4,
      id: 'audit_forged',
      reason: expect.stringMatching(/signed by key .* the log's key here is/),
    });
  });

  it('(e) the chain cut back (its tail deleted: the head rewind of a head-less chain) and its history appended again (a fork) is caught by the checkpoint', async () => {
    await seed(store.db, 'org_fork', 10);
    await writeCheckpoint(store.db, 'org_fork');
    await asSuperuser(store.db, async (trx) => {
      await sql`delete from audit_events where org_id = 'org_fork' and seq > 5`.execute(trx);
    });
    // The application, unaware, appends after row 5: every new row is properly linked and signed.
    await seed(store.db, 'org_fork', 5);
    const verdict = await verifyAuditLog(store.db, 'org_fork');
    expect(verdict).toMatchObject({ ok: false, rows: 10, checkpoints: { checked: 1, latestSeq: 10 } });
    expect(verdict.firstBadRow).toMatchObject({
      seq: 10,
      reason: expect.stringMatching(/differs from the checkpoint/),
    });
  });
});

describe(`an org's whole log deleted (${testStoreKind})`, () => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store.close());

  it('is found by verifying every org: the checkpoints name the org even when no row of it is left', async () => {
    await seed(store.db, 'org_kept', 2);
    await seed(store.db, 'org_gone', 4);
    await writeCheckpoint(store.db, 'org_gone');
    await asSuperuser(store.db, async (trx) => {
      await sql`delete from audit_events where org_id = 'org_gone'`.execute(trx);
    });
    const verdict = await verifyAuditLog(store.db);
    expect(verdict).toMatchObject({ ok: false, rows: 2, checkpoints: { checked: 1, latestSeq: 4 } });
    expect(verdict.firstBadRow).toMatchObject({
      orgId: 'org_gone',
      seq: 1,
      reason: expect.stringMatching(/rows 1–4 are missing/),
    });
  });
});

describe(`audit key rotation (${testStoreKind})`, () => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store.close());

  it('is recorded in the log, signed by the old key; the old key cannot sign after it', async () => {
    await seed(store.db, 'org_other', 2);
    await seed(store.db, 'org_rotate', 3);
    const rotation = await rotateAuditKey(store.db);
    expect(rotation.newKeyId).not.toBe(rotation.oldKeyId);
    await seed(store.db, 'org_rotate', 2);
    const chain = await rows(store.db, 'org_rotate');
    expect(chain.map((row) => [row.event, row.keyId])).toEqual([
      ['data.read', rotation.oldKeyId],
      ['data.read', rotation.oldKeyId],
      ['data.read', rotation.oldKeyId],
      ['audit.key_rotated', rotation.oldKeyId],
      ['data.read', rotation.newKeyId],
      ['data.read', rotation.newKeyId],
    ]);
    expect(await verifyAuditLog(store.db, 'org_rotate')).toMatchObject({ ok: true, rows: 6 });
    // Every org was rotated, and each still verifies.
    expect(rotation.orgs).toEqual(['org_other', 'org_rotate']);
    await seed(store.db, 'org_other', 1);
    expect(await verifyAuditLog(store.db, 'org_other')).toMatchObject({ ok: true, rows: 4 });

    // A row re-signed with the retired key (its holder rewrote the tail) no longer passes.
    const last = chain[5] as Row;
    await asSuperuser(store.db, async (trx) => {
      await sql`update audit_events set key_id = ${rotation.oldKeyId} where id = ${last.id}`.execute(trx);
    });
    expect((await verifyAuditLog(store.db, 'org_rotate')).firstBadRow).toMatchObject({
      seq: 6,
      reason: expect.stringMatching(/the log's key here is/),
    });
  });
});
