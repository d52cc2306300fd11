/**
 * GET /api/jobs and POST /api/jobs/{id}/retry (issue 19): the background job queue as an org sees it, on the
 * engine its store uses (in-process on PGlite, pg-boss on PostgreSQL in a schema of its own). The owner and
 * billing managers read counts by state and each failed job's error; clerks and readers are refused; another
 * org's job is absent and its id is "no such job"; a sweep over every org shows, with its error kept on the
 * server; a failed job is retried once, audited, and runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { SWEEP_ERROR } from '../../src/jobs/manage.ts';
import { openPgBossQueue } from '../../src/jobs/pg-boss-queue.ts';
import { type JobQueue, setProcessQueue } from '../../src/jobs/queue.ts';
import { QUEUES } from '../../src/jobs/queue-names.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, OWNER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testSchemaName, testStoreKind } from '../support/store.ts';

const databaseUrl = process.env.DATABASE_URL;
const schema = testSchemaName('jobs_api_');
const OPTIONS = { singleton: true, retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 30 };

interface JobBody {
  id: string;
  queue: string;
  state: string;
  orgId: string | null;
  bulkJobId: string | null;
  retryCount: number;
  error: string | null;
}
interface JobsBody {
  engine: string;
  counts: Record<string, number>;
  jobs: JobBody[];
}
interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

const until = async (done: () => Promise<boolean> | boolean, ms = 20_000) => {
  for (const started = Date.now(); !(await done()) && Date.now() - started < ms; )
    await new Promise((resolve) => setTimeout(resolve, 100));
};

describe(`jobs API (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let queue: JobQueue;
  let owner: string;
  let finance: string;
  // Whether the bulk-job handler fails: it does until the test lets it succeed.
  let failing = true;
  const runs: string[] = [];
  let ownJob: string;
  let otherOrgJob: string;
  let sweepJob: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    queue = databaseUrl
      ? await openPgBossQueue({
          databaseUrl,
          schema,
          maintenanceIntervalSeconds: 5,
          pollingIntervalSeconds: 0.5,
          worker: true,
        })
      : openInProcessQueue();
    await queue.define(QUEUES.bulkJob, OPTIONS);
    await queue.define(QUEUES.outbox, OPTIONS);
    await queue.work<{ jobId: string }>(QUEUES.bulkJob, async ({ data }) => {
      runs.push(data.jobId);
      if (failing) throw new Error(`the ledger did not answer for ${data.jobId}`);
    });
    await queue.work(QUEUES.outbox, async () => {
      throw new Error('org_secret_other: outbox row 17 could not be read');
    });
    setProcessQueue(queue, true);
    ownJob =
      (await queue.send(QUEUES.bulkJob, { orgId: fixture.orgId, jobId: 'job_own' }, { singletonKey: 'a' })) ?? '';
    otherOrgJob =
      (await queue.send(QUEUES.bulkJob, { orgId: 'org_other', jobId: 'job_theirs' }, { singletonKey: 'b' })) ?? '';
    sweepJob = (await queue.send(QUEUES.outbox, {})) ?? '';
    await until(async () => (await queue.counts({})).failed >= 3);
    owner = (await server.signIn(OWNER)).token;
    finance = (await server.signIn(FINANCE)).token;
  }, 180_000);

  afterAll(async () => {
    setProcessQueue(undefined);
    await queue?.stop({ graceSeconds: 1 });
    await server?.close();
    await fixture?.close();
  });

  it("lists the org's jobs and the sweeps with counts by state and the failed job's error; not another org's", async () => {
    const listed = await server.call<JobsBody>('GET', '/api/jobs', { token: owner });
    expect(listed.status).toBe(200);
    expect(listed.body.engine).toBe(databaseUrl ? 'pg-boss' : 'in-process');
    expect(listed.body.counts).toEqual({ created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 2 });
    const ids = listed.body.jobs.map((job) => job.id);
    expect(ids).toContain(ownJob);
    expect(ids).toContain(sweepJob);
    expect(ids).not.toContain(otherOrgJob);
    expect(JSON.stringify(listed.body)).not.toContain('job_theirs');
    const own = listed.body.jobs.find((job) => job.id === ownJob);
    expect(own).toMatchObject({
      queue: 'bulk-job',
      state: 'failed',
      orgId: fixture.orgId,
      bulkJobId: 'job_own',
      error: 'the ledger did not answer for job_own',
    });
    // The sweep's error may name any org: it stays on the server.
    const sweep = listed.body.jobs.find((job) => job.id === sweepJob);
    expect(sweep).toMatchObject({ queue: 'outbox-delivery', state: 'failed', orgId: null, error: SWEEP_ERROR });
    expect(JSON.stringify(listed.body)).not.toContain('org_secret_other');

    const filtered = await server.call<JobsBody>('GET', '/api/jobs?state=failed&queue=bulk-job&limit=5', {
      token: finance,
    });
    expect(filtered.status).toBe(200);
    expect(filtered.body.jobs.map((job) => job.id)).toEqual([ownJob]);
    expect(filtered.body.counts.failed).toBe(1);
  });

  it('is for the owner and billing managers: a clerk and a reader are refused', async () => {
    for (const email of [CLERK, READER]) {
      const { token } = await server.signIn(email);
      const refused = await server.call<ErrorBody>('GET', '/api/jobs', { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      const retry = await server.call<ErrorBody>('POST', `/api/jobs/${ownJob}/retry`, { token });
      expect(retry.status).toBe(403);
    }
    expect((await server.call<ErrorBody>('GET', '/api/jobs')).status).toBe(401);
  });

  it('refuses bad input naming the field', async () => {
    const state = await server.call<ErrorBody>('GET', '/api/jobs?state=stuck', { token: owner });
    expect(state.status).toBe(400);
    expect(state.body.error.message).toContain('state');
    const extra = await server.call<ErrorBody>('GET', '/api/jobs?orgId=org_other', { token: owner });
    expect(extra.status).toBe(400);
    const id = await server.call<ErrorBody>('POST', '/api/jobs/not-a-job/retry', { token: owner });
    expect(id.status).toBe(400);
    expect(id.body.error.message).toContain('id');
  });

  it("retries the org's failed job once, audited; another org's job is not found; a sweep is not retried", async () => {
    const theirs = await server.call<ErrorBody>('POST', `/api/jobs/${otherOrgJob}/retry`, { token: owner });
    expect(theirs.status).toBe(404);
    const missing = await server.call<ErrorBody>('POST', '/api/jobs/00000000-0000-4000-8000-000000000000/retry', {
      token: owner,
    });
    expect(missing.status).toBe(404);
    expect(theirs.body.error.message.replace(otherOrgJob, 'X')).toBe(
      missing.body.error.message.replace('00000000-0000-4000-8000-000000000000', 'X'),
    );
    const sweep = await server.call<ErrorBody>('POST', `/api/jobs/${sweepJob}/retry`, { token: owner });
    expect(sweep.status).toBe(409);

    failing = false;
    const before = runs.filter((id) => id === 'job_own').length;
    const retried = await server.call<{ job: JobBody }>('POST', `/api/jobs/${ownJob}/retry`, { token: finance });
    expect(retried.status).toBe(200);
    expect(retried.body.job.id).toBe(ownJob);
    expect(retried.body.job.state).not.toBe('failed');
    await until(async () => (await queue.get(ownJob))?.state === 'completed');
    expect((await queue.get(ownJob))?.state).toBe('completed');
    expect(runs.filter((id) => id === 'job_own').length).toBe(before + 1);
    // The other org's job did not run again.
    expect(runs.filter((id) => id === 'job_theirs').length).toBe(1);

    const again = await server.call<ErrorBody>('POST', `/api/jobs/${ownJob}/retry`, { token: owner });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('completed');

    const audited = await fixture.store.db
      .selectFrom('auditEvents')
      .select(['event', 'actorEmail', 'arguments', 'orgId'])
      .where('event', '=', 'job.retried')
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actorEmail: FINANCE, orgId: fixture.orgId, arguments: { jobId: ownJob } });
  }, 60_000);

  it('is documented in the OpenAPI document', async () => {
    const openApi = await server.call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(openApi.body.paths).toHaveProperty('/api/jobs');
    expect(openApi.body.paths).toHaveProperty('/api/jobs/{id}/retry');
  });

  it('answers 503 on a server that runs no job queue', async () => {
    setProcessQueue(undefined);
    try {
      const none = await server.call<ErrorBody>('GET', '/api/jobs', { token: owner });
      expect(none.status).toBe(503);
      expect(none.body.error.code).toBe('unavailable');
    } finally {
      setProcessQueue(queue, true);
    }
  });
});
