import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, testStoreKind } from '../../test/support/store.ts';
import type { Store } from '../store/db.ts';
import { appendAuditEvent, appendAuditEvents } from './append-audit-event.ts';
import { auditSetupOf } from './audit-setup.ts';
import type { AuditEventName } from './events.ts';
import { exportAuditEvents } from './export-audit-events.ts';
import { listAuditEvents } from './list-audit-events.ts';
import { verifyAuditChain } from './verify-audit-chain.ts';

describe(`audit log (${testStoreKind})`, () => {
  let store: Store;
  const orgId = 'org_audit';
  const event = (name: AuditEventName = 'data.read', extra: Record<string, unknown> = {}) => ({
    orgId,
    event: name,
    channel: 'cli',
    actorId: 'mem_1',
    ...extra,
  });

  beforeAll(async () => {
    store = await openTestStore();
    for (let index = 0; index < 25; index += 1)
      await appendAuditEvent(store.db, event('data.read', { operation: 'get_invoice', arguments: { n: index } }));
  });
  afterAll(async () => store.close());

  it('chains rows per org from the genesis hash and verifies', async () => {
    const rows = await listAuditEvents(store.db, orgId, { limit: 1000 });
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(rows[0]?.prevHash).toBe('0'.repeat(64));
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect(await verifyAuditChain(store.db, orgId)).toEqual({ ok: true, rows: 25, firstBadRow: null });
  });

  it('keeps the chain straight under concurrent transactions', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.db
          .transaction()
          .execute(async (trx) =>
            appendAuditEvent(trx, { orgId: 'org_parallel', event: 'data.read', channel: 'http', arguments: { index } }),
          ),
      ),
    );
    expect(await verifyAuditChain(store.db, 'org_parallel')).toMatchObject({ ok: true, rows: 20 });
  });

  it('appends a batch in order, in one transaction, linked like single appends', async () => {
    const org = 'org_batch';
    await appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'cli', arguments: { first: true } });
    const batch = await appendAuditEvents(
      store.db,
      Array.from({ length: 1_200 }, (_, index) => ({
        orgId: org,
        event: 'data.read' as const,
        channel: 'cli',
        arguments: { index },
      })),
    );
    expect(batch.map((event) => event.seq)).toEqual(Array.from({ length: 1_200 }, (_, index) => index + 2));
    await appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'cli', arguments: { last: true } });
    expect(await verifyAuditChain(store.db, org)).toEqual({ ok: true, rows: 1_202, firstBadRow: null });
    expect(await appendAuditEvents(store.db, [])).toEqual([]);
    await expect(
      appendAuditEvents(store.db, [
        { orgId: org, event: 'data.read', channel: 'cli' },
        { orgId: 'org_other', event: 'data.read', channel: 'cli' },
      ]),
    ).rejects.toThrow(/one org/);
  });

  it('keeps the chain straight when concurrent appends run on their own, a new org included', async () => {
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        appendAuditEvent(store.db, {
          orgId: 'org_parallel_auto',
          event: 'data.read',
          channel: 'mcp',
          arguments: { index },
        }),
      ),
    );
    expect(appended.map((event) => event.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    expect(await verifyAuditChain(store.db, 'org_parallel_auto')).toMatchObject({ ok: true, rows: 20 });
  });

  it('an append that finds the chain moved on links again and lands, on its own or in a transaction', async () => {
    const org = 'org_stale_head';
    for (let index = 0; index < 3; index += 1)
      await appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'cli', arguments: { index } });
    // This process's idea of the chain's end is stale (another process appended since): the first call is refused.
    const stale = () => auditSetupOf(store.db).heads.set(org, { seq: 1, hash: '0'.repeat(64), keyId: null });
    stale();
    expect((await appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'cli' })).seq).toBe(4);
    stale();
    const inTransaction = await store.db
      .transaction()
      .execute((trx) => appendAuditEvent(trx, { orgId: org, event: 'data.read', channel: 'cli' }));
    expect(inTransaction.seq).toBe(5);
    // Many writers at once, each on its own: every one lands (none gives up while others keep moving the end).
    const many = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'http', arguments: { index } }),
      ),
    );
    expect(many.map((row) => row.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 6));
    expect(await verifyAuditChain(store.db, org)).toMatchObject({ ok: true, rows: 65 });
    // A transaction that appended and rolled back leaves this process's idea of the end ahead of the chain (a row
    // that is not there): the next append, on its own or in a transaction, writes nothing there and links again.
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendAuditEvent(trx, { orgId: org, event: 'data.read', channel: 'cli' });
        throw new Error('the change this row described failed');
      }),
    ).rejects.toThrow(/failed/);
    expect(auditSetupOf(store.db).heads.get(org)?.seq).toBe(66);
    expect((await appendAuditEvent(store.db, { orgId: org, event: 'data.read', channel: 'cli' })).seq).toBe(66);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await appendAuditEvent(trx, { orgId: org, event: 'data.read', channel: 'cli' });
        throw new Error('failed again');
      }),
    ).rejects.toThrow(/failed again/);
    const afterRollback = await store.db.transaction().execute(async (trx) => {
      const first = await appendAuditEvent(trx, { orgId: org, event: 'data.read', channel: 'cli' });
      const second = await appendAuditEvent(trx, { orgId: org, event: 'data.read', channel: 'cli' });
      return [first.seq, second.seq];
    });
    expect(afterRollback).toEqual([67, 68]);
    expect(await verifyAuditChain(store.db, org)).toMatchObject({ ok: true, rows: 68 });
  });

  it.each([
    ['UPDATE', sql`update audit_events set event = 'data.read' where seq = 1`],
    ['DELETE', sql`delete from audit_events where seq = 1`],
    ['TRUNCATE', sql`truncate audit_events`],
  ])('the database rejects %s on audit rows', async (_name, statement) => {
    await expect(statement.execute(store.db)).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(store.db, orgId)).toMatchObject({ ok: true });
  });

  it('redacts secrets and refuses unknown events', async () => {
    const stored = await appendAuditEvent(
      store.db,
      event('integration.connected', {
        arguments: { api_key: 'rk_live_abc', nested: { secret: 's', password: 'p' }, idempotency_key: 'leash_prop_1' },
      }),
    );
    expect(stored.arguments).toEqual({
      api_key: '[redacted]',
      nested: { secret: '[redacted]', password: '[redacted]' },
      idempotency_key: 'leash_prop_1',
    });
    await expect(appendAuditEvent(store.db, event('money.stolen' as AuditEventName))).rejects.toThrow(
      /unknown audit event/,
    );
  });

  it('exports JSON lines and quoted CSV', async () => {
    await appendAuditEvent(store.db, event('reply.drafted', { userInput: 'Hello, "world"\nsecond line' }));
    let jsonl = '';
    const count = await exportAuditEvents(store.db, orgId, 'jsonl', (chunk) => {
      jsonl += chunk;
    });
    const lines = jsonl.trim().split('\n');
    expect(lines).toHaveLength(count);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ seq: 1, event: 'data.read' });
    let csv = '';
    await exportAuditEvents(store.db, orgId, 'csv', (chunk) => {
      csv += chunk;
    });
    expect(csv.split('\n')[0]).toMatch(/^seq,id,at,event,/);
    expect(csv).toContain('"Hello, ""world""\nsecond line"');
  });

  it('finds a row altered by a superuser, and names it', async () => {
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(store.db);
    await sql`update audit_events set arguments = '{"n": 999}'::jsonb where org_id = ${orgId} and seq = 7`.execute(
      store.db,
    );
    await sql`alter table audit_events enable trigger audit_events_no_change`.execute(store.db);
    const verdict = await verifyAuditChain(store.db, orgId);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBadRow).toMatchObject({ seq: 7, reason: expect.stringMatching(/altered/) });
  });

  it('finds a row deleted by a superuser as a gap', async () => {
    for (let index = 0; index < 5; index += 1)
      await appendAuditEvent(store.db, { orgId: 'org_gap', event: 'data.read', channel: 'cli' });
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(store.db);
    await sql`delete from audit_events where org_id = 'org_gap' and seq = 3`.execute(store.db);
    await sql`alter table audit_events enable trigger audit_events_no_change`.execute(store.db);
    expect((await verifyAuditChain(store.db, 'org_gap')).firstBadRow).toMatchObject({
      seq: 4,
      reason: expect.stringMatching(/missing/),
    });
  });

  it('finds a forged row whose hash was recomputed without its predecessor', async () => {
    for (let index = 0; index < 3; index += 1)
      await appendAuditEvent(store.db, { orgId: 'org_forge', event: 'data.read', channel: 'cli' });
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(store.db);
    await sql`update audit_events set prev_hash = repeat('1', 64) where org_id = 'org_forge' and seq = 2`.execute(
      store.db,
    );
    await sql`alter table audit_events enable trigger audit_events_no_change`.execute(store.db);
    expect((await verifyAuditChain(store.db, 'org_forge')).firstBadRow).toMatchObject({ seq: 2 });
  });
});
