/**
 * The jobs page in Chromium (issue 19) over the real background work of the store's engine (in-process on PGlite,
 * pg-boss on PostgreSQL in a schema of its own): a bulk-job slice queued for a member who has since left fails
 * with the worker's own error; a billing manager sees it in the state counts, by queue and among the failed jobs
 * with its error and attempts, retries it (audited as job.retried, the same retry as the API's; it runs and fails
 * again), and the page says which engine runs the queue. A clerk has no Jobs link and is refused the page. Screenshots at 1280 and 390 px.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { QUEUES, sendBulkJob } from '../../src/jobs/queue-names.ts';
import { type BackgroundWork, startBackgroundWork } from '../../src/jobs/workers.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testSchemaName, testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn } from './dashboard-session.ts';

const browser = browserAvailability();
const schema = testSchemaName('jobs_page_');
const GONE = 'its org or member is gone';

describe.runIf(browser.available)(`jobs page in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let page: Page;
  let work: BackgroundWork;
  let queue: JobQueue;
  let failedJob: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  const failedCards = (on: Page = page) => on.getByRole('list', { name: 'Failed jobs' }).locator('li[data-job]');

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    work = await startBackgroundWork({
      store: fixture.store,
      gate: fixture.gate,
      log: pino({ level: 'silent' }),
      role: 'all',
      env: { ...process.env, LEASH_JOBS_SCHEMA: schema, LEASH_STRIPE_SYNC_MINUTES: '0' },
    });
    queue = work.queue;
    // Bulk slices are retried ten times with backoff; here the first failure is final, so the page has it at once.
    await queue.define(QUEUES.bulkJob, { singleton: true, retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 });
    failedJob =
      (await sendBulkJob(queue, {
        orgId: fixture.orgId,
        jobId: 'job_leftbehind',
        memberId: 'mem_whohasleft',
        channel: 'http',
      })) ?? '';
    expect(failedJob).not.toBe('');
    for (const started = Date.now(); Date.now() - started < 60_000; ) {
      if ((await queue.get(failedJob))?.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await queue.get(failedJob))?.error).toContain(GONE);
    server = await startTestServer(fixture, { logger: pino({ level: 'silent' }) });
    chromium = await launchChromium();
    page = await signedIn(chromium, contexts, fixture, server, FINANCE, problems);
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await work?.stop();
    await fixture?.close();
  });

  it('lists the failed job with its error and attempts, in the counts and by queue', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await expect.poll(() => failedCards().count()).toBe(1);
    const card = failedCards().first();
    expect(await card.getAttribute('data-job')).toBe(failedJob);
    expect(await card.getByTestId('job-error').innerText()).toContain(`bulk job job_leftbehind: ${GONE}`);
    const text = await card.innerText();
    expect(text).toContain('Bulk jobs');
    expect(text).toContain('job_leftbehind');
    expect(text).toMatch(/Attempts\s+1/);

    const figures = page.getByRole('list', { name: 'Jobs by state' });
    expect(await figures.locator('li').filter({ hasText: 'Failed' }).innerText()).toMatch(/^1\s/);
    const bulkRow = page.getByRole('table', { name: 'Jobs in each state, by queue' }).locator('tr', {
      hasText: 'bulk-job',
    });
    expect(await bulkRow.locator('td[data-label="Failed"]').innerText()).toBe('1');
    expect(await page.getByTestId('engine').innerText()).toContain(
      testStoreKind === 'postgres' ? 'pg-boss' : 'inside this server process',
    );
    const newest = page.getByRole('table', { name: 'Newest jobs' }).locator('tbody tr', { hasText: 'job_leftbehind' });
    expect(await newest.innerText()).toContain(GONE);
    await checkAndSave(page, 'jobs-page');
  });

  it('retries the failed job through the same path as the API (audited as job.retried)', async () => {
    const failedAt = (await queue.get(failedJob))?.completedAt?.getTime() ?? 0;
    const card = failedCards().first();
    await card.getByRole('button', { name: /^Retry the failed/ }).click();
    await page.getByRole('status').filter({ hasText: 'is queued again' }).waitFor();
    const audit = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    const retried = audit.filter((entry) => entry.event === 'job.retried');
    expect(retried).toHaveLength(1);
    expect(JSON.stringify(retried[0])).toContain(failedJob);
    // The member is still gone: the job runs again and fails again, with the same error.
    await expect
      .poll(
        async () => {
          const job = await queue.get(failedJob);
          return job?.state === 'failed' && (job.completedAt?.getTime() ?? 0) > failedAt;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => failedCards().count()).toBe(1);
    expect(await failedCards().first().getByTestId('job-error').innerText()).toContain(GONE);
  });

  it('fits 390 px; a clerk has no Jobs link and is refused the page', async () => {
    const phone = await signedIn(chromium, contexts, fixture, server, FINANCE, problems, PHONE);
    await phone.goto(`${server.url}/jobs`);
    await expect.poll(() => failedCards(phone).count()).toBe(1);
    await checkAndSave(phone, 'phone-jobs-page');

    const clerk = await signedIn(chromium, contexts, fixture, server, CLERK, problems);
    expect(await clerk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).count()).toBe(0);
    await clerk.goto(`${server.url}/jobs`);
    await clerk.getByText('only the owner and billing managers may see background jobs').first().waitFor();
    expect(await failedCards(clerk).count()).toBe(0);
    // The refusal is the page's answer, not a console error.
    expect(problems.filter((problem) => !problem.includes('403'))).toEqual([]);
  });
});
