/**
 * The webhooks page in Chromium (issue 20): the org's endpoints (URL, events, enabled), deliveries paged by the
 * server with their status, attempts and the receiver's last answer, filtered by endpoint and status (kept in the
 * URL); a dead delivery — an endpoint on a loopback receiver that answered 500 until its attempts ran out — is
 * redelivered by a billing manager (audited) and turns delivered once the deliverer sends it to the receiver, which
 * now answers 200. A reader sees the deliveries but no Redeliver button, and no Jobs link. Screenshots at 1280 and
 * 390 px go to test-results/screenshots/.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { deliverDue } from '../../src/webhooks/deliver.ts';
import {
  allowLoopbackEndpoints,
  createEndpoint,
  driveDeliveries,
  type Receiver,
  refund,
  SHORT_RETRIES,
  startReceiver,
} from '../http/webhook-deliveries-setup.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium, settled } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, MANAGER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`webhooks page in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let page: Page;
  let restore: () => void;
  let failing: Receiver;
  let healthy: Receiver;
  let failingEndpoint: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  const table = (on: Page = page) => on.getByRole('table', { name: 'Deliveries' });
  const rows = (on: Page = page) => table(on).locator('tbody tr');
  const range = (on: Page = page) => on.getByTestId('range');
  const filters = (on: Page = page) => on.getByRole('form', { name: 'Filter deliveries' });

  beforeAll(async () => {
    await ensureDashboardBuilt();
    restore = allowLoopbackEndpoints();
    fixture = await openLeashFixture();
    failing = await startReceiver(500);
    healthy = await startReceiver(200);
    failingEndpoint = await createEndpoint(fixture, failing.url);
    await createEndpoint(fixture, healthy.url, ['refund.created', 'invoice.paid']);
    // Twelve refunds: twelve deliveries to each endpoint; the healthy ones are delivered at the first attempt, the
    // failing ones answer 500 twice and are dead. One more refund fails once: retrying. 26 deliveries, two pages.
    for (let index = 0; index < 12; index += 1) await refund(fixture);
    await driveDeliveries(fixture, SHORT_RETRIES.maxAttempts);
    await refund(fixture);
    await deliverDue(fixture.store.db, fixture.orgId, { policy: SHORT_RETRIES, timeoutMs: 2_000 });
    server = await startTestServer(fixture, { logger: pino({ level: 'silent' }) });
    chromium = await launchChromium();
    page = await signedIn(chromium, contexts, fixture, server, MANAGER, problems);
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await failing?.close();
    await healthy?.close();
    await fixture?.close();
    restore?.();
  });

  it('lists the endpoints and pages the deliveries: status, attempts, last answer', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    const endpoints = page.locator('li[data-endpoint]');
    await expect.poll(() => endpoints.count()).toBe(2);
    const first = endpoints.filter({ hasText: failing.url });
    expect(await first.innerText()).toContain('refund.created');
    expect(await first.getByText('enabled').count()).toBe(1);
    expect(await endpoints.filter({ hasText: healthy.url }).innerText()).toContain('invoice.paid');

    await expect.poll(() => range().innerText()).toBe('1–25 of 26');
    // Newest first: the last refund's deliveries, one of them retrying after a 500.
    const retrying = rows().filter({ hasText: 'retrying' });
    expect(await retrying.count()).toBe(1);
    expect(await retrying.innerText()).toContain('HTTP 500');
    expect(await rows().filter({ hasText: 'dead' }).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Next page of deliveries' }).click();
    await expect.poll(() => range().innerText()).toBe('26–26 of 26');
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.goBack();
    await expect.poll(() => range().innerText()).toBe('1–25 of 26');
  });

  it('filters by status and endpoint (kept in the URL)', async () => {
    await filters().getByLabel('Status').selectOption('dead');
    await expect.poll(() => range().innerText()).toBe('1–12 of 12');
    const texts = await rows().allInnerTexts();
    for (const text of texts) {
      expect(text).toContain('dead');
      expect(text).toContain('HTTP 500');
      expect(text).toContain(failing.url);
    }
    await filters().getByLabel('Endpoint').selectOption({ label: healthy.url });
    await expect.poll(() => page.getByText('No deliveries match these filters.').count()).toBe(1);
    await filters().getByLabel('Status').selectOption('delivered');
    await expect.poll(() => range().innerText()).toBe('1–13 of 13');
    const url = new URL(page.url());
    expect(url.searchParams.get('status')).toBe('delivered');
    expect(url.searchParams.get('endpoint')).toMatch(/^we_/);
    await page.reload();
    await expect.poll(() => range().innerText()).toBe('1–13 of 13');
    await checkAndSave(page, 'webhooks-filtered');
  });

  it('redelivers a dead delivery (audited); it turns delivered against a receiver now answering 200', async () => {
    await page.goto(`${server.url}/outbound-webhooks?status=dead&endpoint=${failingEndpoint}`);
    await expect.poll(() => range().innerText()).toBe('1–12 of 12');
    await checkAndSave(page, 'webhooks-dead');
    failing.answer(200);
    const before = failing.received;
    const dead = rows().first();
    const deliveryText = await dead.innerText();
    expect(deliveryText).toContain('refund.created');
    await dead.getByRole('button', { name: /^Redeliver refund\.created/ }).click();
    await page.getByRole('status').filter({ hasText: 'is queued again' }).waitFor();
    // Queued again: pending, no attempts yet, no longer dead (the list still shows it while it waits).
    await expect.poll(() => rows().filter({ hasText: 'not tried yet' }).count()).toBe(1);
    const audit = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    expect(audit.filter((entry) => entry.event === 'webhook.redelivered')).toHaveLength(1);

    // The server's worker makes the due attempts every minute; here the same deliverer runs once.
    await deliverDue(fixture.store.db, fixture.orgId, { policy: SHORT_RETRIES, timeoutMs: 2_000 });
    // (The retrying delivery is due by now too: the receiver gets both.)
    expect(failing.received).toBeGreaterThan(before);
    // The page follows the redelivered one until it is sent: delivered, HTTP 200.
    const sent = rows().filter({ hasText: 'delivered' });
    await expect.poll(() => sent.count(), { timeout: 15_000 }).toBe(1);
    expect(await sent.innerText()).toContain('HTTP 200');
    await settled(page);
    await checkAndSave(page, 'webhooks-redelivered');
  });

  it('shows a reader the deliveries without Redeliver, and no Jobs link; fits 390 px', async () => {
    const reader = await signedIn(chromium, contexts, fixture, server, READER, problems, PHONE);
    await reader.getByRole('button', { name: 'Menu' }).click();
    const nav = reader.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Jobs' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Webhooks' }).click();
    await expect.poll(() => range(reader).innerText()).toBe('1–25 of 26');
    expect(await reader.getByRole('button', { name: /^Redeliver/ }).count()).toBe(0);
    await checkAndSave(reader, 'phone-webhooks');

    const manager = await signedIn(chromium, contexts, fixture, server, MANAGER, problems, PHONE);
    await manager.goto(`${server.url}/outbound-webhooks?status=dead`);
    await expect.poll(() => range(manager).innerText()).toBe('1–11 of 11');
    await checkAndSave(manager, 'phone-webhooks-dead');
    expect(problems).toEqual([]);
  });
});
