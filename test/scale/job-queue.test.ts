/**
 * The job queue's contract, on the engine each store uses: the in-process queue always, pg-boss when
 * DATABASE_URL is set (in a schema of its own, dropped with the run's others). A job is worked once even with two workers; a
 * failing job is retried until it succeeds; a singleton key runs one job at a time.
 */
import { describe, expect, it } from 'vitest';
import { openInProcessQueue } from '../../src/jobs/in-process-queue.ts';
import { openPgBossQueue } from '../../src/jobs/pg-boss-queue.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { testSchemaName } from '../support/store.ts';

const databaseUrl = process.env.DATABASE_URL;
const schema = testSchemaName('jobs_');
const OPTIONS = { singleton: false, retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 30 };

const engines: [string, () => Promise<JobQueue>][] = [['in-process', async () => openInProcessQueue()]];
if (databaseUrl)
  engines.push([
    'pg-boss',
    () =>
      openPgBossQueue({
        databaseUrl,
        schema,
        maintenanceIntervalSeconds: 5,
        pollingIntervalSeconds: 0.5,
        worker: true,
      }),
  ]);

const until = async (done: () => boolean, ms = 20_000) => {
  for (const started = Date.now(); !done() && Date.now() - started < ms; )
    await new Promise((resolve) => setTimeout(resolve, 50));
};

describe.each(engines)('job queue (%s)', (engine, open) => {
  it('works each job once, with two workers of one queue', async () => {
    const first = await open();
    const second = engine === 'pg-boss' ? await open() : first;
    try {
      const seen: string[] = [];
      await first.define('once', OPTIONS);
      for (const queue of new Set([first, second]))
        await queue.work<{ n: number }>('once', async ({ data }) => {
          seen.push(String(data.n));
        });
      for (let n = 0; n < 20; n += 1) await first.send('once', { n });
      await until(() => seen.length >= 20);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(seen.sort()).toEqual([...Array(20).keys()].map(String).sort());
      const listed = await first.list({ limit: 100 });
      expect(listed.filter((job) => job.queue === 'once' && job.state === 'completed')).toHaveLength(20);
    } finally {
      await second.stop({ graceSeconds: 1 });
      if (second !== first) await first.stop({ graceSeconds: 1 });
    }
  }, 60_000);

  it('retries a failing job with backoff until it succeeds, and lists its retries', async () => {
    const queue = await open();
    try {
      let attempts = 0;
      await queue.define('flaky', OPTIONS);
      await queue.work('flaky', async () => {
        attempts += 1;
        if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
      });
      const id = await queue.send('flaky', { orgId: 'org_x' });
      await until(() => attempts >= 3);
      let job = (await queue.list({ orgId: 'org_x', limit: 10 })).find((entry) => entry.id === id);
      await until(() => job?.state === 'completed' || false, 5_000);
      job = (await queue.list({ orgId: 'org_x', limit: 10 })).find((entry) => entry.id === id);
      expect(attempts).toBe(3);
      expect(job).toMatchObject({ state: 'completed', retryCount: 2, orgId: 'org_x' });
      expect((await queue.list({ orgId: 'org_other', limit: 100 })).some((entry) => entry.orgId === 'org_x')).toBe(
        false,
      );
    } finally {
      await queue.stop({ graceSeconds: 1 });
    }
  }, 60_000);

  it('runs one job per singleton key at a time and drops a repeat while one waits', async () => {
    const queue = await open();
    try {
      let running = 0;
      let most = 0;
      let runs = 0;
      await queue.define('sweep', { ...OPTIONS, singleton: true });
      await queue.work('sweep', async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 700));
        running -= 1;
        runs += 1;
      });
      const sent = [];
      for (let n = 0; n < 4; n += 1) sent.push(await queue.send('sweep', {}, { singletonKey: 'org_a' }));
      await until(() => runs >= 1 && running === 0, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(most).toBe(1);
      expect(sent.filter((id) => id !== null).length).toBeLessThan(4);
      expect(runs).toBe(sent.filter((id) => id !== null).length);
    } finally {
      await queue.stop({ graceSeconds: 1 });
    }
  }, 60_000);
});
