/**
 * The customer page in Chromium over a small demo: one visit is one `data.read` audit row (view_customer);
 * a duplicate subscription and a double charge are flagged where they show; a payment row's Refund proposes
 * through the pipeline and shows the proposal card (nothing is refunded); invoices sort on the server with the
 * sort in the URL; an invoice number opens its detail. Screenshots at 1280 and 390 px.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSummary, generateDemo } from '../../src/demo/generate-demo.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium, settled } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`customer page in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let summary: DemoSummary;
  let page: Page;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const serverErrors: string[] = [];

  /** The org's audit rows of kind `data.read` by `email`, oldest first. */
  async function readsBy(email: string) {
    return fixture.store.db
      .selectFrom('auditEvents')
      .select(['seq', 'operation'])
      .where('orgId', '=', fixture.orgId)
      .where('event', '=', 'data.read')
      .where('actorEmail', '=', email)
      .orderBy('seq')
      .execute();
  }

  async function customerNamed(name: string): Promise<string> {
    const found = await fixture.connector.findCustomers({ name });
    if (!found[0]) throw new Error(`no demo customer ${name}`);
    return found[0].id;
  }

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    summary = await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 40,
      months: 2,
      seed: 'dashboard',
      endAt: new Date('2026-11-20T00:00:00Z'),
    });
    server = await startTestServer(fixture, {
      logger: pino({ level: 'error' }, { write: (line: string) => serverErrors.push(line) }),
    });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  it('one visit is one audit row; a duplicate subscription is flagged on its plan', async () => {
    const duplicated = summary.duplicateSubscriptions[0];
    expect(duplicated, 'the demo has a duplicate subscription').toBeDefined();
    page = await signedIn(chromium, contexts, fixture, server, FINANCE, problems);
    const before = (await readsBy(FINANCE)).length;
    await page.goto(`${server.url}/customers/${duplicated}`);
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await settled(page);
    const reads = (await readsBy(FINANCE)).slice(before);
    expect(reads.map((row) => row.operation)).toEqual(['view_customer']);
    expect(await page.getByTestId('duplicate-flag').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('customer-flags').innerText()).toMatch(/billed twice/);
  });

  it('invoices sort on the server, the sort is in the URL, and an invoice number opens its detail', async () => {
    const totals = page.getByRole('columnheader', { name: /Total/ });
    await totals.getByRole('button').click();
    await expect.poll(() => totals.getAttribute('aria-sort')).toBe('descending');
    expect(new URL(page.url()).searchParams.get('inv_sort')).toBe('total_desc');
    const invoices = page.getByRole('region', { name: 'Invoices' });
    await invoices.locator('tbody tr th a').first().click();
    await page.getByTestId('invoice-detail').waitFor();
    expect(await page.getByTestId('invoice-detail').innerText()).toMatch(/Invoice INV-\d+/);
    expect(new URL(page.url()).searchParams.get('inv_sort')).toBe('total_desc');
  });

  it("Acme Corp's double charge is flagged; Refund on the row opens the proposal card and refunds nothing", async () => {
    const acme = await customerNamed('Acme Corp');
    const clerk = await signedIn(chromium, contexts, fixture, server, CLERK, problems);
    await clerk.goto(`${server.url}/customers/${acme}`);
    const flagged = clerk.locator('tr.flagged').first();
    await flagged.waitFor();
    expect(await flagged.innerText()).toContain('Possible double charge');
    const chargeId = (await flagged.locator('code').first().innerText()).trim();
    const refundedBefore = (await fixture.connector.getCharge(chargeId))?.amountRefunded;
    // At 1280 px every column, Refund… included, shows without scrolling the table sideways (the flag once
    // widened flagged rows until the actions were cut off).
    const scroll = flagged.locator('xpath=ancestor::div[contains(@class, "table-scroll")]');
    const widths = await scroll.evaluate((element) => ({ content: element.scrollWidth, shown: element.clientWidth }));
    expect(widths.content).toBeLessThanOrEqual(widths.shown);
    await checkAndSave(clerk, 'customer-1280');

    await flagged.getByRole('button', { name: 'Refund…' }).click();
    const panel = clerk.getByTestId('row-action');
    await panel.getByLabel('Reason').fill('Captured twice on the processor report');
    await panel.getByLabel('Ticket or case').fill('T-2001');
    await panel.getByRole('button', { name: 'Propose' }).click();
    const card = panel.locator('[data-proposal]');
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toMatch(/Refund/);
    expect(text).toContain(chargeId);
    expect(text).toContain('Acme Corp');
    expect(text).toMatch(/Needs approval by|Confirm/);
    expect((await fixture.connector.getCharge(chargeId))?.amountRefunded).toBe(refundedBefore);
    await checkAndSave(clerk, 'customer-proposal-1280');
  });

  it('fits a phone: 390 px', async () => {
    const acme = await customerNamed('Acme Corp');
    const phone = await signedIn(chromium, contexts, fixture, server, FINANCE, problems, PHONE);
    await phone.goto(`${server.url}/customers/${acme}`);
    await phone.getByRole('heading', { name: 'Payments' }).waitFor();
    await checkAndSave(phone, 'customer-390');
  });

  it('no page errors, no server errors', () => {
    expect(problems).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});
