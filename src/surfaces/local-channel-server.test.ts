/**
 * The local channel over a real Unix socket and a real (in-memory) PGlite: stores opened through it run the same
 * queries and transactions, a caller that dies mid-transaction leaves nothing behind, reads run as local mode's
 * member on the `cli` channel, and only the data directory's owner can reach the socket.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoOrg } from '../auth/demo-members.ts';
import { isLeashError } from '../domain/errors.ts';
import { loadGate } from '../policy/decide.ts';
import { openStore, type Store } from '../store/db.ts';
import { CHANNEL_DIR, CHANNEL_FILE, encodeFrame, frameReader, LocalChannel } from '../store/local-channel.ts';
import { openStoreThroughServer } from '../store/remote-store.ts';
import { type LocalChannelServer, serveLocalChannel } from './local-channel-server.ts';

let dataDir: string;
let store: Store;
let server: LocalChannelServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'leash-channel-'));
  // The server's store is in memory; the socket lives in a real directory, as under `leash start`.
  store = await openStore({ dataDir: 'memory://' });
  await createDemoOrg(store.db);
  await sql`create table channel_probe (id serial primary key, label text not null)`.execute(store.db);
  const started = await serveLocalChannel({ store, gate: await loadGate(), dataDir });
  if (!started) throw new Error('no channel');
  server = started;
});

afterAll(async () => {
  await server.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function remote(): Promise<Store> {
  const opened = await openStoreThroughServer(dataDir);
  if (!opened) throw new Error('no server on the channel');
  return opened;
}

async function labels(): Promise<string[]> {
  const rows = await store.db
    .selectFrom('channelProbe' as never)
    .select('label' as never)
    .execute();
  return (rows as { label: string }[]).map((row) => row.label).sort();
}

describe('the local channel', () => {
  it('is reachable only by the data directory owner: its directory 0700, the socket 0600', () => {
    expect(statSync(join(dataDir, CHANNEL_DIR)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, CHANNEL_FILE)).mode & 0o777).toBe(0o600);
  });

  it('runs queries with the same shapes as the store itself (camelCase, Dates, numbers)', async () => {
    const through = await remote();
    try {
      const direct = await store.db.selectFrom('members').selectAll().orderBy('email').execute();
      const viaChannel = await through.db.selectFrom('members').selectAll().orderBy('email').execute();
      expect(viaChannel).toEqual(direct);
      expect(viaChannel[0]?.createdAt).toBeInstanceOf(Date);
    } finally {
      await through.close();
    }
  });

  it('commits a transaction, rolls back a failed one, and keeps concurrent callers apart', async () => {
    const [first, second] = await Promise.all([remote(), remote()]);
    try {
      await Promise.all([
        first.db.transaction().execute(async (trx) => {
          await sql`insert into channel_probe (label) values ('first-a')`.execute(trx);
          await new Promise((resolve) => setTimeout(resolve, 20));
          await sql`insert into channel_probe (label) values ('first-b')`.execute(trx);
        }),
        second.db
          .transaction()
          .execute(async (trx) => {
            await sql`insert into channel_probe (label) values ('second-a')`.execute(trx);
            throw new Error('changed my mind');
          })
          .catch((error: Error) => expect(error.message).toBe('changed my mind')),
        // The server's own work waits for the caller's transaction instead of landing inside it.
        sql`insert into channel_probe (label) values ('server')`.execute(store.db),
      ]);
      expect(await labels()).toEqual(['first-a', 'first-b', 'server']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('rolls back the transaction of a caller that goes away mid-way, and keeps serving', async () => {
    const socket = connect({ path: join(dataDir, CHANNEL_FILE) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(encodeFrame({ type: 'begin', scope: '' }));
    socket.write(
      encodeFrame({
        type: 'query',
        scope: '',
        sql: "insert into channel_probe (label) values ('orphan')",
        parameters: [],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await labels()).not.toContain('orphan');
    const through = await remote();
    try {
      expect(await through.db.selectFrom('orgs').select('id').execute()).toHaveLength(1);
    } finally {
      await through.close();
    }
  });

  it('runs a read operation as local mode names the member, on the cli channel, with errors that keep their code', async () => {
    const channel = await LocalChannel.connect(dataDir);
    if (!channel) throw new Error('no channel');
    try {
      const answer = await channel.request<{ members: { email: string }[] }>({
        type: 'read',
        operation: 'list_activity',
        input: { limit: 1 },
        as: 'carl@northwind.test',
      });
      expect(answer).toHaveProperty('events');
      const [row] = await store.db
        .selectFrom('auditEvents')
        .select(['channel', 'actorEmail', 'operation'])
        .orderBy('seq', 'desc')
        .limit(1)
        .execute();
      expect(row).toEqual({ channel: 'cli', actorEmail: 'carl@northwind.test', operation: 'list_activity' });

      const unknown = await channel
        .request({ type: 'read', operation: 'list_activity', input: {}, as: 'nobody@example.test' })
        .catch((error: unknown) => error);
      expect(isLeashError(unknown, 'not_found')).toBe(true);
      const write = await channel
        .request({ type: 'read', operation: 'refund_charge', input: {}, as: 'carl@northwind.test' })
        .catch((error: unknown) => error);
      expect(isLeashError(write, 'bad_input')).toBe(true);
    } finally {
      await channel.close();
    }
  });

  it('answers a malformed request with an error, not a crash', async () => {
    const channel = await LocalChannel.connect(dataDir);
    if (!channel) throw new Error('no channel');
    try {
      for (const request of [
        { type: 'nonsense' },
        { type: 'commit' },
        { type: 'begin', scope: '', isolationLevel: 'serializable; drop table orgs; --' },
        { type: 'query', scope: '', sql: 'select * from no_such_table', parameters: [] },
      ]) {
        const error = await channel.request(request as never).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(Error);
      }
      expect(await channel.request({ type: 'query', scope: '', sql: 'select 1 as one', parameters: [] })).toEqual({
        rows: [{ one: 1 }],
      });
    } finally {
      await channel.close();
    }
  });

  it('is not there when no server listens: a stale socket file reads as no server', async () => {
    const stale = mkdtempSync(join(tmpdir(), 'leash-stale-'));
    try {
      mkdirSync(join(stale, CHANNEL_DIR));
      const socket = join(stale, CHANNEL_FILE);
      // A socket file whose server died: bind one, then close the server without unlinking.
      const { createServer } = await import('node:net');
      const dead = createServer();
      await new Promise<void>((resolve) => dead.listen(socket, resolve));
      await new Promise<void>((resolve) => {
        // biome-ignore lint/suspicious/noExplicitAny: reach the handle to close it without Node's unlink.
        (dead as any)._handle.close();
        resolve();
      });
      expect(await LocalChannel.connect(stale)).toBeUndefined();
      expect(await openStoreThroughServer(join(stale, 'missing'))).toBeUndefined();
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });

  it('does not hang on a server that accepts but never answers', async () => {
    const wedged = mkdtempSync(join(tmpdir(), 'leash-wedged-'));
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    mkdirSync(join(wedged, CHANNEL_DIR));
    await new Promise<void>((resolve) => silent.listen(join(wedged, CHANNEL_FILE), resolve));
    try {
      const started = Date.now();
      const error = await LocalChannel.connect(wedged, { pingTimeoutMs: 300 }).catch((thrown: unknown) => thrown);
      expect(isLeashError(error, 'unavailable')).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
      rmSync(wedged, { recursive: true, force: true });
    }
  });

  it('survives hostile requests: odd text, prototype keys, deep nesting, huge values, garbage frames', async () => {
    const lone = '\ud800';
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let depth = 0; depth < 2_000; depth += 1) {
      const next: Record<string, unknown> = {};
      cursor.nested = next;
      cursor = next;
    }
    const inputs: unknown[] = [
      { query: `acme\u0000corp` },
      { query: `acme${lone}` },
      { query: 'x'.repeat(5_000_000) },
      JSON.parse('{"__proto__": {"admin": true}, "query": "acme"}'),
      { constructor: { prototype: { polluted: true } } },
      deep,
      [1, 2, 3],
      null,
      Number.MAX_SAFE_INTEGER,
      { limit: 1e308 },
    ];
    const channel = await LocalChannel.connect(dataDir);
    if (!channel) throw new Error('no channel');
    try {
      for (const input of inputs) {
        const answer = await channel
          .request({ type: 'read', operation: 'search_customers', input, as: 'carl@northwind.test' })
          .then(
            () => 'answered',
            (error: unknown) => error,
          );
        // Either a (harmless) answer or an error a person can read: never a dead server.
        if (answer !== 'answered') expect(answer).toBeInstanceOf(Error);
      }
      const undecodable = await channel
        .request({ type: 'read', operation: 'search_customers', input: deep })
        .catch((thrown: unknown) => thrown);
      expect(String(undecodable)).toMatch(/does not decode|bad_input|nested/);
      for (const request of [
        { type: 'read', operation: { toString: null }, input: {} },
        { type: 'query', scope: '', sql: 'select 1', parameters: 'not a list' },
        { type: 'query', scope: 42, sql: 'select 1', parameters: [] },
        'just text',
        [],
      ]) {
        const error = await channel.request(request as never).catch((thrown: unknown) => thrown);
        expect(isLeashError(error, 'bad_input')).toBe(true);
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await channel.close();
    }

    // Bytes that do not decode are answered with an error; a frame claiming 4 GiB closes its connection. The
    // server serves on either way.
    const garbage = connect({ path: join(dataDir, CHANNEL_FILE) });
    await new Promise((resolve) => garbage.once('connect', resolve));
    const reply = new Promise<unknown>((resolve) =>
      garbage.on(
        'data',
        frameReader(resolve, () => undefined),
      ),
    );
    garbage.write(Buffer.from([0, 0, 0, 3, 0xff, 0xfe, 0xfd]));
    expect(await reply).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    garbage.destroy();
    const huge = connect({ path: join(dataDir, CHANNEL_FILE) });
    await new Promise((resolve) => huge.once('connect', resolve));
    const closed = new Promise((resolve) => huge.once('close', resolve));
    huge.on('error', () => undefined);
    huge.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1]));
    await closed;
    const after = await LocalChannel.connect(dataDir);
    if (!after) throw new Error('the server stopped serving');
    try {
      expect(await after.request({ type: 'ping' })).toEqual({ pid: process.pid });
    } finally {
      await after.close();
    }
  });

  it('a long-lived caller reconnects to a restarted server, and is told when none is back', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'leash-restart-'));
    const gate = await loadGate();
    let own = await serveLocalChannel({ store, gate, dataDir: ownDir });
    const through = await openStoreThroughServer(ownDir);
    if (!own || !through) throw new Error('no channel');
    try {
      expect(await through.db.selectFrom('orgs').select('id').execute()).toHaveLength(1);
      await own.close();
      // (A real restart takes seconds: the caller has seen its connection close long before.)
      await new Promise((resolve) => setTimeout(resolve, 50));
      own = await serveLocalChannel({ store, gate, dataDir: ownDir });
      expect(await through.db.selectFrom('orgs').select('id').execute()).toHaveLength(1);
      await own?.close();
      own = undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await through.db
        .selectFrom('orgs')
        .select('id')
        .execute()
        .catch((thrown: unknown) => thrown);
      expect(isLeashError(error, 'unavailable')).toBe(true);
      expect(String(error)).toMatch(/has stopped/);
    } finally {
      await through.close();
      await own?.close();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
