/**
 * The audit log page in Chromium over a demo business: a clerk's refund proposal for Wayne Enterprises is found by typing
 * part of the customer's name, each row shows the customer's name and the amount, the kind filter offers the
 * kinds the log holds (input.refused among them once there is one), amounts filter, and a bad amount is refused
 * with the server's words. Screenshots at 1280 and 390 px go to test-results/screenshots/.
 */
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import {
  browserAvailability,
  ensureDashboardBuilt,
  horizontalOverflow,
  launchChromium,
  screenshot,
  seriousAxeViolations,
  settled,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { signedIn } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`audit page in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  let page: Page;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  async function openAudit(viewport: { width: number; height: number }): Promise<Page> {
    const opened = await signedIn(chromium, contexts, fixture, server, FINANCE, problems, viewport);
    await opened.goto(`${server.url}/audit`);
    await opened.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await settled(opened);
    return opened;
  }

  const filters = () => page.getByRole('form', { name: 'Filter the log' });
  const entries = () => page.getByRole('list', { name: 'Audit entries, newest first' }).locator('li[data-audit-entry]');
  async function apply(): Promise<void> {
    await filters().getByRole('button', { name: 'Apply filters' }).click();
    await settled(page);
  }

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 40,
      months: 2,
      seed: 'dashboard',
      endAt: new Date('2026-11-20T00:00:00Z'),
    });
    server = await startTestServer(fixture, { logger: pino({ level: 'silent' }) });
    const clerk = (await server.signIn(CLERK)).token;
    const { charge } = await fixture.paidCharge(5_000, 'usd', 'Wayne Enterprises');
    const proposed = await server.call('POST', '/api/operations/refund_charge', {
      token: clerk,
      body: { charge_id: charge.id, amount: 1_234, reason: 'charged twice', case_id: 'T-18' },
    });
    expect(proposed.status).toBe(201);
    // A refused input (a NUL in a query), audited as input.refused.
    expect((await server.call('GET', '/api/audit?customer=x%00', { token: clerk })).status).toBe(400);
    chromium = await launchChromium();
    page = await openAudit({ width: 1280, height: 900 });
  }, 240_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  it('finds the customer by part of the name; rows show the name and the amount', async () => {
    await filters().getByLabel('Customer').fill('wayne');
    await apply();
    // Wait until the filtered answer has replaced the rows shown before (every row is Wayne's, and there is one).
    const summaries = () => entries().locator('summary').allInnerTexts();
    await expect
      .poll(async () => {
        const texts = await summaries();
        return texts.length > 0 && texts.every((text) => text.includes('Wayne Enterprises'));
      })
      .toBe(true);
    const proposal = entries().filter({ hasText: 'proposal.created' }).first();
    expect(await proposal.locator('summary').innerText()).toContain('$12.34');
    await proposal.locator('summary').click();
    expect(await proposal.getByRole('link', { name: 'Wayne Enterprises' }).getAttribute('href')).toMatch(
      /^\/customers\/cus_/,
    );
    await screenshot(page, 'audit-by-customer');
  });

  it('offers the kinds the log holds, input.refused among them', async () => {
    const kinds = await filters().getByLabel('Kind').locator('option').allInnerTexts();
    expect(kinds).toEqual(expect.arrayContaining(['Any kind', 'proposal.created', 'decision.made', 'input.refused']));
    expect(kinds).not.toContain('reply.sent');
    await filters().getByLabel('Customer').fill('');
    await filters().getByLabel('Kind').selectOption('input.refused');
    await apply();
    await expect.poll(() => entries().count()).toBe(1);
    await filters().getByLabel('Kind').selectOption('');
  });

  it('filters by amount, and shows the server’s words for a bad one', async () => {
    await filters().getByLabel('Amount at least').fill('12.34');
    await filters().getByLabel('Amount at most').fill('12.34');
    await apply();
    // Until the filtered answer replaces the list shown before (the rows of every amount).
    await expect
      .poll(async () => {
        const texts = await entries().locator('summary').allInnerTexts();
        return texts.length > 0 && texts.every((text) => text.includes('$12.34'));
      })
      .toBe(true);
    await filters().getByLabel('Amount at least').fill('twelve');
    await apply();
    await page.getByText(/amount_min: use an amount in major units/).waitFor();
    expect(await entries().count()).toBe(0);
    await filters().getByRole('button', { name: 'Clear' }).click();
    await settled(page);
    // Everything again: the sign-ins and the refused input, not only the refund's rows.
    await entries().filter({ hasText: 'input.refused' }).first().waitFor();
    expect(await filters().getByLabel('Amount at least').inputValue()).toBe('');
  });

  it('passes axe and fits 1280 and 390 px; saved as screenshots', async () => {
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'audit-page');
    const phone = await openAudit({ width: 390, height: 844 });
    await phone.getByRole('form', { name: 'Filter the log' }).getByLabel('Customer').fill('Wayne');
    await phone.getByRole('button', { name: 'Apply filters' }).click();
    await settled(phone);
    await phone.locator('li[data-audit-entry]').first().waitFor();
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    expect(await seriousAxeViolations(phone)).toEqual([]);
    await screenshot(phone, 'phone-audit-page');
    expect(problems).toEqual([]);
  });
});
