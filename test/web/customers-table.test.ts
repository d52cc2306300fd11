/**
 * The customer list of a 2,000-customer demo in Chromium: 25 rows a page with "1–25 of 2,000", Next and Previous,
 * a column sort done by the server (aria-sort on the header), page and sort kept in the URL across a reload and
 * Back. Screenshots at 1280 and 390 px.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import { runRead } from '../../src/operations/run-operation.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`customer list of 2,000 in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let page: Page;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const serverErrors: string[] = [];

  const rowNames = () => page.locator('table.list tbody tr th').allInnerTexts();
  const range = () => page.getByTestId('range').innerText();

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    const started = Date.now();
    // One month keeps the generation short (about 16 s on PGlite on two busy cores); the list is what is tested.
    const summary = await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 2000,
      months: 1,
      seed: 'tables',
      endAt: new Date('2026-11-20T00:00:00Z'),
    });
    console.log(`2,000-customer demo generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(summary.customers).toBe(2000);
    server = await startTestServer(fixture, {
      logger: pino({ level: 'error' }, { write: (line: string) => serverErrors.push(line) }),
    });
    chromium = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  it('search_customers sorts in SQL and counts every match, on both stores', async () => {
    const context = await fixture.context(FINANCE);
    const first = (await runRead(context, 'search_customers', { limit: 25, sort: 'balance_desc' })) as {
      customers: { id: string; balance: number }[];
      count: number;
    };
    expect(first.count).toBe(2000);
    const second = (await runRead(context, 'search_customers', { limit: 25, offset: 25, sort: 'balance_desc' })) as {
      customers: { id: string; balance: number }[];
    };
    const balances = [...first.customers, ...second.customers].map((customer) => customer.balance);
    expect(balances).toEqual([...balances].sort((a, b) => b - a));
    const ids = new Set([...first.customers, ...second.customers].map((customer) => customer.id));
    expect(ids.size).toBe(50);
    await expect(runRead(context, 'search_customers', { sort: 'password_asc' })).rejects.toThrow(/sort/);
  });

  it('pages through 2,000 customers: 1–25 of 2,000, Next, Previous', async () => {
    page = await signedIn(chromium, contexts, fixture, server, FINANCE, problems);
    await page.goto(`${server.url}/customers`);
    await expect.poll(range).toBe('1–25 of 2,000');
    expect(await rowNames()).toHaveLength(25);
    const firstPage = await rowNames();
    await page.getByRole('button', { name: 'Next page of customers' }).click();
    await expect.poll(range).toBe('26–50 of 2,000');
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    const secondPage = await rowNames();
    expect(secondPage.some((name) => firstPage.includes(name))).toBe(false);
    await page.getByRole('button', { name: 'Previous page of customers' }).click();
    await expect.poll(range).toBe('1–25 of 2,000');
    expect(await rowNames()).toEqual(firstPage);
    await checkAndSave(page, 'customers-1280');
  });

  it('sorts by a column on the server; the URL keeps page and sort across reload and Back', async () => {
    const balanceHeader = page.getByRole('columnheader', { name: /Balance/ });
    expect(await balanceHeader.getAttribute('aria-sort')).toBe('none');
    await balanceHeader.getByRole('button').click();
    await expect.poll(() => balanceHeader.getAttribute('aria-sort')).toBe('descending');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('balance_desc');
    const context = await fixture.context(FINANCE);
    const expected = (await runRead(context, 'search_customers', { limit: 25, sort: 'balance_desc' })) as {
      customers: { name: string }[];
    };
    await expect.poll(rowNames).toEqual(expected.customers.map((customer) => customer.name));

    const nameHeader = page.getByRole('columnheader', { name: /Name/ });
    await nameHeader.getByRole('button').click();
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: 'Next page of customers' }).click();
    await expect.poll(range).toBe('26–50 of 2,000');
    const byName = (await runRead(context, 'search_customers', { limit: 25, offset: 25, sort: 'name_asc' })) as {
      customers: { name: string }[];
    };
    await expect.poll(rowNames).toEqual(byName.customers.map((customer) => customer.name));

    await page.reload();
    await expect.poll(range).toBe('26–50 of 2,000');
    expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(rowNames).toEqual(byName.customers.map((customer) => customer.name));

    await page.goBack();
    await expect.poll(range).toBe('1–25 of 2,000');
    expect(new URL(page.url()).searchParams.get('sort')).toBe('name_asc');
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('balance_desc');
    await expect.poll(rowNames).toEqual(expected.customers.map((customer) => customer.name));
  });

  it('fits a phone: 390 px', async () => {
    const phone = await signedIn(chromium, contexts, fixture, server, FINANCE, problems, PHONE);
    await phone.goto(`${server.url}/customers?sort=balance_desc`);
    await expect.poll(() => phone.getByTestId('range').innerText()).toBe('1–25 of 2,000');
    await checkAndSave(phone, 'customers-390');
  });

  it('no page errors, no server errors', () => {
    expect(problems).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});
