/**
 * `leash jobs queue` and `leash jobs retry` on PostgreSQL (issue 19): the compiled CLI reads pg-boss's tables in
 * the org's database — counts by state, a failed job with its error — and runs a failed job once more, audited
 * as job.retried; a job that is not failed, and a malformed id, are refused (exit 1 and exit 2 naming the field).
 * PostgreSQL only: the embedded store's queue lives inside `leash start`.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgBossQueue } from '../../src/jobs/pg-boss-queue.ts';
import type { JobQueue, JobState, QueuedJob } from '../../src/jobs/queue.ts';
import { QUEUES } from '../../src/jobs/queue-names.ts';
import { json, runLeash } from '../support/cli.ts';
import { type LeashInstance, openLeashInstance } from '../support/leash-instance.ts';

const databaseUrl = process.env.DATABASE_URL;

const until = async (done: () => Promise<boolean>, ms = 20_000) => {
  for (const started = Date.now(); !(await done()) && Date.now() - started < ms; )
    await new Promise((resolve) => setTimeout(resolve, 100));
};

describe.skipIf(!databaseUrl)('leash jobs queue and retry (PostgreSQL)', () => {
  let instance: LeashInstance;
  let queue: JobQueue;
  let jobId: string;
  let failing = true;

  beforeAll(async () => {
    instance = await openLeashInstance('jobscli');
    const client = new pg.Client({ connectionString: instance.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ id: string }>('select id from orgs limit 1');
    await client.end();
    queue = await openPgBossQueue({
      databaseUrl: instance.env.DATABASE_URL ?? '',
      schema: 'pgboss',
      maintenanceIntervalSeconds: 5,
      pollingIntervalSeconds: 0.5,
      worker: true,
    });
    await queue.define(QUEUES.stripeSync, {
      singleton: true,
      retryLimit: 0,
      retryDelaySeconds: 1,
      expireInSeconds: 30,
    });
    await queue.work(QUEUES.stripeSync, async () => {
      if (failing) throw new Error('Stripe answered 503');
    });
    jobId = (await queue.send(QUEUES.stripeSync, { orgId: rows[0]?.id }, { singletonKey: 'org' })) ?? '';
    await until(async () => (await queue.get(jobId))?.state === 'failed');
  }, 180_000);

  afterAll(async () => {
    await queue?.stop({ graceSeconds: 1 });
    await instance?.remove();
  });

  it('lists counts by state and the failed job with its error; retry runs it once more, audited', async () => {
    const listed = await runLeash(['jobs', 'queue', '--as', instance.owner, '--json'], { env: instance.env });
    expect(listed.code).toBe(0);
    const body = json<{ engine: string; counts: Record<JobState, number>; jobs: QueuedJob[] }>(listed);
    expect(body.engine).toBe('pg-boss');
    expect(body.counts.failed).toBe(1);
    expect(body.jobs.find((job) => job.id === jobId)).toMatchObject({ state: 'failed', error: 'Stripe answered 503' });

    const table = await runLeash(['jobs', 'queue', '--state', 'failed', '--as', instance.owner], { env: instance.env });
    expect(table.stdout).toContain('failed 1');
    expect(table.stdout).toContain(jobId);
    expect(table.stdout).toContain('leash jobs retry');

    failing = false;
    const retried = await runLeash(['jobs', 'retry', jobId, '--as', instance.owner], { env: instance.env });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain(jobId);
    await until(async () => (await queue.get(jobId))?.state === 'completed');
    expect((await queue.get(jobId))?.state).toBe('completed');

    const again = await runLeash(['jobs', 'retry', jobId, '--as', instance.owner], { env: instance.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only a failed job is retried');

    const bad = await runLeash(['jobs', 'retry', 'nope', '--as', instance.owner], { env: instance.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('id');

    const client = new pg.Client({ connectionString: instance.env.DATABASE_URL });
    await client.connect();
    const audited = await client.query("select actor_email from audit_events where event = 'job.retried'");
    await client.end();
    expect(audited.rows).toEqual([{ actor_email: instance.owner }]);
  }, 120_000);
});
