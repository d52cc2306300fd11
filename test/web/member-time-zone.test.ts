/**
 * A member's time zone in the dashboard (issue 18), in Chromium against a real server on loopback. A clerk whose
 * browser is in Los Angeles asks for a refund that needs approval: until they choose a zone the approvals inbox
 * words its expiry in UTC (the session's zone, not the browser's). On the Settings page the time zone select is
 * prefilled from the browser as a suggestion; nothing is saved until they pick Asia/Kolkata and press Save
 * (one `member.time_zone_changed` audit row). The inbox and the proposal card then word the expiry in Kolkata
 * time ("tomorrow at 01:30 GMT+5:30"). Axe finds nothing serious and nothing overflows at 1280 and 390 px;
 * screenshots land in test-results/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { personTime } from '../../src/domain/person-time.ts';
import { proposeOperation } from '../../src/operations/run-operation.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn, WIDE } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`a member's time zone in the dashboard (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  /** Signs `email` in by magic link in a browser whose own zone is `browserZone`. */
  const signedInFrom = (email: string, browserZone: string, viewport = WIDE): Promise<Page> =>
    signedIn(chromium, contexts, fixture, server, email, problems, viewport, browserZone);

  it('the clerk sets Asia/Kolkata in settings (suggested from the browser, saved explicitly) and the approval expiry reads in it', async () => {
    const { charge } = await fixture.paidCharge(48_000, 'usd', 'Kolkata Traders');
    const clerk = await fixture.context(CLERK);
    const proposal = await proposeOperation(clerk, 'refund_charge', {
      charge_id: charge.id,
      reason: 'customer asked twice',
      case_id: 'TZ-1',
    });
    expect(proposal.status).toBe('awaiting_approval');
    const expiresAt = proposal.approval?.expiresAt as Date;
    const inZone = (zone: string) => personTime(expiresAt, new Date(), zone);

    const page = await signedInFrom(CLERK, 'America/Los_Angeles');
    // No zone chosen: the inbox words the expiry in UTC, not in the browser's Los Angeles time.
    await page.getByRole('link', { name: 'Approvals' }).click();
    const request = page.locator('[data-approval]', { hasText: 'Kolkata Traders' }).first();
    await request.waitFor();
    expect(await request.getByTestId('approval-expiry').innerText()).toBe(`${inZone('UTC')} UTC`);
    expect(await request.innerText()).toMatch(/Refunded to the customer \(USD\)\s+\$480\.00/);

    await page.getByRole('link', { name: /Modes & time zone/ }).click();
    await page.getByRole('heading', { name: 'Your time zone' }).waitFor();
    const select = page.getByRole('combobox', { name: /^Time zone/ });
    expect(await select.inputValue()).toBe('America/Los_Angeles');
    await page.getByText('Suggested from this browser (America/Los_Angeles)').waitFor();
    expect((await fixture.member(CLERK)).timeZone).toBeNull(); // a suggestion saves nothing
    expect(await page.getByTestId('time-zone-now').innerText()).toMatch(/^Times are shown in UTC \(none chosen yet\)/);

    await select.selectOption('Asia/Kolkata');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.getByRole('status').getByText('Saved: times now read in Asia/Kolkata.').waitFor();
    expect((await fixture.member(CLERK)).timeZone).toBe('Asia/Kolkata');
    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { event: 'member.time_zone_changed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorEmail: CLERK, result: { from: null, to: 'Asia/Kolkata' } });
    expect(await page.getByTestId('time-zone-now').innerText()).toMatch(
      /^Times are shown in Asia\/Kolkata: it is now \d{1,2} \w{3} \d{4} \d\d:\d\d GMT\+5:30\.$/,
    );
    await checkAndSave(page, 'settings-time-zone');

    // The inbox, without reloading the page, now words the same expiry in Kolkata time.
    await page.getByRole('link', { name: 'Approvals' }).click();
    await request.waitFor();
    const expiry = await request.getByTestId('approval-expiry').innerText();
    expect(expiry).toBe(`${inZone('Asia/Kolkata')} GMT+5:30`);
    expect(inZone('Asia/Kolkata')).not.toBe(inZone('UTC'));

    // A fresh load (the session from /api/me) keeps it; so does the proposal card's expiry.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await request.waitFor();
    expect(await request.getByTestId('approval-expiry').innerText()).toBe(`${inZone('Asia/Kolkata')} GMT+5:30`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('on a phone: the settings page with a saved zone, nothing overflows', async () => {
    const page = await signedInFrom(FINANCE, 'Asia/Kolkata', PHONE);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('heading', { name: 'Your time zone' }).waitFor();
    expect(await page.getByRole('combobox', { name: /^Time zone/ }).inputValue()).toBe('Asia/Kolkata');
    await page.getByRole('combobox', { name: /^Time zone/ }).selectOption('America/Los_Angeles');
    await page.getByRole('button', { name: 'Save time zone' }).click();
    await page.getByRole('status').getByText('Saved: times now read in America/Los_Angeles.').waitFor();
    await page.getByRole('button', { name: 'Clear (use UTC)' }).waitFor();
    await checkAndSave(page, 'phone-settings-time-zone');
    expect(problems).toEqual([]);
  }, 120_000);
});
