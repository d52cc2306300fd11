/**
 * The dashboard end to end in a real browser against a real server on loopback, over the demo business: a clerk
 * signs in by magic link and asks in chat to refund Acme Corp's duplicate charge, sees the server's preview and
 * that finance must approve; finance approves in the inbox; the clerk sees it executed; the audit log shows the
 * chain verified. Every page passes axe (no serious or critical finding), fits a phone's width, and is saved as
 * a screenshot in test-results/screenshots/.
 */

import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMagicLink } from '../../src/auth/sessions.ts';
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
import { CLERK, FINANCE, type LeashFixture, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const browser = browserAvailability();
const onCi = process.env.CI === 'true';
if (!browser.available && !onCi) console.warn(`dashboard browser tests skipped: ${browser.message}`);

describe.runIf(!browser.available && onCi)('dashboard (browser missing on CI)', () => {
  it('fails: CI must run the browser tests', () => {
    throw new Error(browser.message);
  });
});

describe.runIf(browser.available)(`dashboard in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  const contexts: BrowserContext[] = [];
  const serverErrors: string[] = [];
  const pageProblems: string[] = [];
  let clerk: Page;
  let finance: Page;

  /** Opens a magic link for `email` in a fresh browser context and presses Sign in. */
  async function signIn(email: string, viewport = { width: 1280, height: 860 }, shot?: string): Promise<Page> {
    const context = await chromium.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageProblems.push(`${email}: ${error.message}`));
    page.on('console', (message) => {
      // CSP violations and script errors show up here.
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
        pageProblems.push(`${email}: ${message.text()}`);
    });
    const link = await createMagicLink(fixture.store.db, await fixture.member(email), 'login', null);
    await page.goto(`${server.url}/login?token=${link.token}`);
    await page.getByRole('heading', { name: 'Sign in to Leash' }).waitFor();
    if (shot) {
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, shot);
    }
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).search).not.toContain('token');
    return page;
  }

  async function open(page: Page, name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  }

  async function checkPage(page: Page, name: string): Promise<void> {
    // Let loading states settle before judging the page.
    await settled(page);
    expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
    await screenshot(page, name);
  }

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    // A small demo business: Acme Corp's first payment was captured twice.
    await generateDemo(fixture.store, {
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

  it('serves the app with its CSP, index.html uncached, hashed assets cached for a year', async () => {
    const index = await fetch(`${server.url}/approvals`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    const api = await fetch(`${server.url}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('a clerk signs in and asks in chat to refund the duplicate charge: preview and approval requirement', async () => {
    clerk = await signIn(CLERK, undefined, 'login');
    await clerk.getByRole('heading', { name: 'Chat', level: 1 }).waitFor();
    const box = clerk.getByLabel('Message to Leash');
    await box.fill('Was Acme Corp charged twice?');
    await clerk.getByRole('button', { name: 'Send' }).click();
    await clerk.getByText(/possible double charge/).waitFor();
    await box.fill('Refund the first one');
    await clerk.getByRole('button', { name: 'Send' }).click();

    const card = clerk.locator('[data-proposal]').last();
    await card.getByTestId('approval-state').waitFor();
    const text = await card.innerText();
    expect(text).toMatch(/Refund \$\d+\.\d\d of charge ch_/);
    expect(text).toContain('Acme Corp');
    expect(text).toContain('cannot be reversed');
    expect(text).toMatch(/Needs approval by\s+finance or owner/);
    expect(await card.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    await checkPage(clerk, 'chat');

    // The requester sees their request in the inbox, without an approve button.
    await open(clerk, 'Approvals');
    await clerk.locator('[data-approval]').first().waitFor();
    expect(await clerk.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    expect(await clerk.locator('[data-approval]').first().innerText()).toContain('another member');
  });

  it('finance approves it in the inbox', async () => {
    finance = await signIn(FINANCE);
    await open(finance, 'Approvals');
    const request = finance.locator('[data-approval]', { hasText: 'Acme Corp' }).first();
    await request.waitFor();
    expect(await request.innerText()).toContain(CLERK);
    await request.getByLabel(/Your reason/).fill('Duplicate capture confirmed on the processor report');
    await request.getByLabel(/Type CONFIRM/).fill('CONFIRM');
    await checkPage(finance, 'approvals');
    await request.getByRole('button', { name: 'Approve and execute' }).click();
    await finance.getByText('Nothing is waiting for you.').waitFor();
  });

  it('the clerk sees it executed', async () => {
    await open(clerk, 'Chat');
    await clerk.getByRole('link', { name: /Was Acme Corp charged twice/ }).click();
    await clerk.getByText(/^Executed after approval/).waitFor({ timeout: 30_000 });
    await screenshot(clerk, 'chat-executed');
  });

  it('the audit log shows the chain verified, and the approval and execution', async () => {
    await open(finance, 'Audit');
    await expect
      .poll(() => finance.getByTestId('chain-status').innerText(), { timeout: 20_000 })
      .toMatch(/^Chain verified/);
    await finance.getByLabel('Kind').selectOption('execution.succeeded');
    await finance.getByRole('button', { name: 'Apply filters' }).click();
    await finance.getByText('refund charge').first().waitFor();
    await checkPage(finance, 'audit');
  });

  it('customers, a customer page, insights and team pass axe and are saved', async () => {
    await open(finance, 'Customers');
    await finance.getByLabel('Search customers').fill('Acme');
    await finance.getByRole('button', { name: 'Search' }).click();
    await finance.getByRole('link', { name: 'Acme Corp' }).click();
    await finance.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    await finance.getByRole('heading', { name: 'Payments' }).waitFor();
    await checkPage(finance, 'customer');
    await open(finance, 'Customers');
    await checkPage(finance, 'customers');
    await open(finance, 'Insights');
    await finance.getByRole('heading', { name: 'MRR movements' }).waitFor();
    await checkPage(finance, 'insights');
    expect(await finance.locator('figure.chart svg').count()).toBeGreaterThanOrEqual(3);
    await open(finance, 'Team & settings');
    await finance.getByTestId('stripe-status').waitFor();
    await checkPage(finance, 'team');
  });

  it('offers a read-only member no write actions (the server would refuse them anyway)', async () => {
    const reader = await signIn(READER);
    await reader.getByText('As a read-only member you can ask and look, not change.').waitFor();
    await open(reader, 'Approvals');
    await settled(reader);
    expect(await reader.getByRole('button', { name: /Approve|Reject/ }).count()).toBe(0);
    await open(reader, 'Team & settings');
    await reader.getByTestId('stripe-status').waitFor();
    expect(await reader.getByRole('heading', { name: 'Invite a member' }).count()).toBe(0);
    expect(await reader.getByRole('button', { name: /Change role|Connect Stripe/ }).count()).toBe(0);
  });

  it('four tabs of one session reloaded at once all stay signed in (their refreshes take turns)', async () => {
    const first = await signIn(READER);
    const tabs = [first];
    for (let index = 0; index < 3; index++) {
      const tab = await first.context().newPage();
      await tab.goto(server.url);
      await tab.getByRole('button', { name: 'Sign out' }).waitFor();
      tabs.push(tab);
    }
    for (let round = 0; round < 5; round++) {
      await Promise.all(tabs.map((tab) => tab.reload()));
      await Promise.all(tabs.map((tab) => tab.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 5_000 })));
    }
  });

  it('fits a phone: no page is wider than 390 px', async () => {
    const phone = await signIn(CLERK, { width: 390, height: 844 });
    for (const [name, shot] of [
      ['Chat', 'phone-chat'],
      ['Approvals', 'phone-approvals'],
      ['Customers', 'phone-customers'],
      ['Insights', 'phone-insights'],
      ['Audit', 'phone-audit'],
      ['Team & settings', 'phone-team'],
    ] as const) {
      await phone.getByRole('button', { name: 'Menu' }).click();
      await open(phone, name);
      await settled(phone);
      expect(await horizontalOverflow(phone), `${name} overflows sideways`).toBeLessThanOrEqual(0);
      await screenshot(phone, shot);
    }
    expect(pageProblems, 'errors in the browser console').toEqual([]);
    expect(serverErrors, 'server errors').toEqual([]);
  });
});
