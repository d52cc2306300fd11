/**
 * The insights page in Chromium over a demo business billed in several currencies: overdue amounts are drawn one
 * chart per currency (each axis in its own currency, never INR and USD on one ₹ axis), the list of who owes says
 * how many more there are and shows them, a chart's exact figures come up from the keyboard, and MRR follows a
 * currency and a period picked on the page. Screenshots at 1280 and 390 px go to test-results/screenshots/.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import {
  browserAvailability,
  ensureDashboardBuilt,
  horizontalOverflow,
  launchChromium,
  SCREENSHOTS,
  screenshot,
  seriousAxeViolations,
  settled,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { signedIn } from './dashboard-session.ts';

interface OverdueAnswer {
  totals: { currency: string; customers: number }[];
  customers: { name: string; currency: string; amount: number }[];
}

const browser = browserAvailability();

describe.runIf(browser.available)(`insights charts in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let page: Page;
  let overdue: OverdueAnswer;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  async function openInsights(viewport: { width: number; height: number }): Promise<Page> {
    const opened = await signedIn(chromium, contexts, fixture, server, FINANCE, problems, viewport);
    await opened.goto(`${server.url}/insights`);
    await opened.getByRole('heading', { name: 'Overdue invoices' }).waitFor();
    await settled(opened);
    return opened;
  }

  /** The currency sign Intl writes for `code` in the page's locale ("₹", "R$", "$", "£"). */
  const signOf = (code: string) =>
    page.evaluate(
      (currency) =>
        new Intl.NumberFormat(undefined, { style: 'currency', currency })
          .formatToParts(0)
          .find((part) => part.type === 'currency')?.value ?? currency,
      code.toUpperCase(),
    );
  const exactMoney = (amount: number, code: string) =>
    page.evaluate(
      ([value, currency]) =>
        new Intl.NumberFormat(undefined, { style: 'currency', currency: currency as string }).format(
          (value as number) / (currency === 'JPY' ? 1 : 100),
        ),
      [amount, code.toUpperCase()] as const,
    );

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 400,
      months: 3,
      seed: 'insights-charts',
      endAt: new Date('2026-11-20T00:00:00Z'),
    });
    server = await startTestServer(fixture, { logger: pino({ level: 'silent' }) });
    const token = (await server.signIn(FINANCE)).token;
    const answer = await server.call<{ result: OverdueAnswer }>('POST', '/api/operations/overdue_summary', {
      token,
      body: { limit: 1000 },
    });
    overdue = answer.body.result;
    chromium = await launchChromium();
    page = await openInsights({ width: 1280, height: 900 });
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  it('draws overdue amounts one chart per currency, each axis in its own currency only', async () => {
    const currencies = overdue.totals.map((total) => total.currency);
    expect(currencies.length, 'the demo owes in several currencies').toBeGreaterThanOrEqual(3);
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Overdue invoices' }) });
    const charts = panel.locator('figure.chart');
    expect(await charts.count()).toBe(currencies.length);
    const signs = Object.fromEntries(await Promise.all(currencies.map(async (code) => [code, await signOf(code)])));
    for (const code of currencies) {
      const chart = panel.locator('figure.chart', { hasText: `Overdue in ${code.toUpperCase()} by age` });
      const ticks = await chart.locator('svg text.chart-axis').allTextContents();
      const axis = ticks.filter((text) => /\d/.test(text) && /[^\d.,\sKMB-]/.test(text));
      expect(axis.length, `${code} axis labels`).toBeGreaterThan(1);
      for (const tick of axis) {
        expect(tick, `${code} axis`).toContain(signs[code]);
        for (const other of currencies)
          if (other !== code && !String(signs[code]).includes(String(signs[other])))
            expect(tick, `${code} axis shows ${other}`).not.toContain(signs[other]);
      }
      // The title says how many of that currency's customers it draws.
      const owing = overdue.totals.find((total) => total.currency === code)?.customers ?? 0;
      const title = await chart.locator('figcaption').innerText();
      expect(title).toContain(owing > 8 ? `the 8 largest of ${owing} customers` : `${owing} customer`);
    }
  });

  it('shows exact figures from the keyboard: a chart is a slider over its columns', async () => {
    const code = overdue.totals[0]?.currency as string;
    const rows = overdue.customers.filter((row) => row.currency === code).slice(0, 8);
    const last = rows.at(-1);
    if (!last) throw new Error('no overdue customer');
    const slider = page.getByRole('slider', { name: new RegExp(`Overdue in ${code.toUpperCase()}`) });
    await slider.focus();
    await page.keyboard.press('End');
    const tip = slider.getByTestId('chart-tip');
    await expect.poll(() => tip.innerText()).toContain(last.name);
    const exact = await exactMoney(last.amount, code);
    expect(await tip.innerText()).toContain(`total: ${exact}`);
    expect(await slider.getAttribute('aria-valuetext')).toContain(`total ${exact}`);
    await page.keyboard.press('Home');
    await expect.poll(() => tip.innerText()).toContain(rows[0]?.name ?? '');
    await screenshot(page, 'insights-charts-tooltip');
    await slider.blur();
    expect(await tip.count()).toBe(0);
    // The pointer shows the same figures: over the right edge of the plot, the last column.
    const box = await slider.boundingBox();
    if (!box) throw new Error('the chart is not drawn');
    await slider.hover({ position: { x: box.width - 20, y: box.height / 2 } });
    await expect.poll(() => tip.innerText()).toContain(`total: ${exact}`);
    await page.mouse.move(0, 0);
    await expect.poll(() => tip.count()).toBe(0);
  });

  it('says how many more customers owe and shows them on request', async () => {
    const owing = overdue.totals.reduce((sum, total) => sum + total.customers, 0);
    expect(owing).toBeGreaterThan(6);
    const list = page.getByRole('list', { name: 'Customers with overdue invoices' });
    expect(await list.getByRole('listitem').count()).toBe(6);
    const more = page.getByRole('button', { name: `and ${owing - 6} more customers: show them` });
    await more.click();
    expect(await list.getByRole('listitem').count()).toBe(Math.min(owing, 1000));
  });

  it('MRR follows the currency and the period picked', async () => {
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'MRR movements' }) });
    const currency = panel.getByLabel('Currency');
    const options = await currency.locator('option').allInnerTexts();
    expect(options.length).toBeGreaterThanOrEqual(3);
    const shown = await currency.inputValue();
    const other = options.find((option) => option.toLowerCase() !== shown) as string;
    await currency.selectOption(other.toLowerCase());
    await panel.locator('figcaption', { hasText: `MRR movements by month (${other})` }).waitFor();
    expect(await panel.locator('.figure-value').first().innerText()).toContain(await signOf(other));

    const months = () => panel.locator('figure.chart tbody tr').count();
    expect(await months()).toBe(12);
    await panel.getByLabel('Period').selectOption('3');
    await expect.poll(months).toBe(3);
    expect(await panel.locator('figcaption').innerText()).toContain(`(${other})`);
  });

  it('a suggested next step opens the proposal card and runs nothing until it is confirmed', async () => {
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Overdue invoices' }) });
    const first = panel.getByTestId('suggestion').first();
    await first.getByRole('button', { name: /^Propose this/ }).click();
    await first.getByLabel('Reason').fill('Chasing the oldest overdue invoice');
    await first.getByLabel('Ticket or case').fill('T-SUGGEST');
    await first.getByRole('button', { name: 'Propose', exact: true }).click();
    await first
      .getByTestId('preview-money')
      .or(first.getByRole('button', { name: /Confirm/ }))
      .first()
      .waitFor();
    const proposed = await listAuditEvents(fixture.store.db, fixture.orgId, { event: 'proposal.created' });
    expect(proposed.length).toBeGreaterThanOrEqual(1);
    expect(await listAuditEvents(fixture.store.db, fixture.orgId, { event: 'execution.started' })).toEqual([]);
  });

  it('passes axe and fits 1280 and 390 px; saved as screenshots', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'insights-charts');
    const phone = await openInsights({ width: 390, height: 844 });
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    expect(await seriousAxeViolations(phone)).toEqual([]);
    await screenshot(phone, 'phone-insights-charts');
    const overduePanel = phone.locator('section', { has: phone.getByRole('heading', { name: 'Overdue invoices' }) });
    await overduePanel.screenshot({ path: `${SCREENSHOTS}/phone-insights-overdue.png` });
    expect(problems).toEqual([]);
  });
});
