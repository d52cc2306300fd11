/**
 * GET /ready (issue 19): 200 with every check when the process can take traffic; 503 naming the failing checks
 * (and no internal message) when the database does not answer, a migration is not applied, the policy has
 * problems, or the workers a process is meant to run are not running. /health stays liveness: it does not touch
 * the database, so it is still 200 while /ready is 503 for a lost database.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobQueue, setProcessQueue } from '../../src/jobs/queue.ts';
import { openStore } from '../../src/store/db.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

interface ReadyBody {
  ready: boolean;
  failing?: string[];
  checks: Record<string, string>;
}

describe(`/ready (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  it('is 200 with every check on a sound server; workers are not applicable where none are meant to run', async () => {
    const ready = await server.call<ReadyBody>('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      ready: true,
      checks: { database: 'ok', migrations: 'ok', policy: 'ok', workers: 'not applicable' },
    });
  });

  it('is 503 naming migrations while one is not applied, and 200 again once it is', async () => {
    const table = sql.id('kysely_migration');
    await sql`update ${table} set name = 'zz-renamed' where name = '0020-rate-limits'`.execute(fixture.store.db);
    try {
      const pending = await server.call<ReadyBody>('GET', '/ready');
      expect(pending.status).toBe(503);
      expect(pending.body).toMatchObject({ ready: false, failing: ['migrations'], checks: { migrations: 'pending' } });
    } finally {
      await sql`update ${table} set name = '0020-rate-limits' where name = 'zz-renamed'`.execute(fixture.store.db);
    }
    expect((await server.call('GET', '/ready')).status).toBe(200);
  });

  it('is 503 naming the policy when it has problems', async () => {
    const degraded = await startTestServer(fixture, { gate: { ...fixture.gate, problems: ['rules.yaml: broken'] } });
    try {
      const ready = await degraded.call<ReadyBody>('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ready: false, failing: ['policy'], checks: { policy: 'problems' } });
      expect(JSON.stringify(ready.body)).not.toContain('rules.yaml');
    } finally {
      await degraded.close();
    }
  });

  it('is 503 naming workers for a process meant to run them while they do not, 200 while they run', async () => {
    const worker = await startTestServer(fixture, { runsWorkers: true });
    try {
      const stopped = await worker.call<ReadyBody>('GET', '/ready');
      expect(stopped.status).toBe(503);
      expect(stopped.body).toMatchObject({ failing: ['workers'], checks: { workers: 'stopped' } });
      // Only whether this process's workers run matters here, not the engine.
      setProcessQueue({ engine: 'in-process' } as JobQueue, true);
      try {
        const running = await worker.call<ReadyBody>('GET', '/ready');
        expect(running.status).toBe(200);
        expect(running.body.checks.workers).toBe('ok');
      } finally {
        setProcessQueue(undefined);
      }
    } finally {
      await worker.close();
    }
  });

  it('is 503 naming the database when it does not answer (no internal message); /health stays 200', async () => {
    const lost = process.env.DATABASE_URL ? await openTestStore() : await openStore({ dataDir: 'memory://' });
    const orphan = await startTestServer({ ...fixture, store: lost });
    try {
      await lost.close();
      const ready = await orphan.call<ReadyBody>('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        ready: false,
        failing: ['database'],
        checks: { database: 'unreachable', migrations: 'not checked', policy: 'ok', workers: 'not applicable' },
        version: 'test',
      });
      expect((await orphan.call('GET', '/health')).status).toBe(200);
    } finally {
      await orphan.close();
    }
  });
});
