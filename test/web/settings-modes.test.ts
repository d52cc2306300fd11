/**
 * The Settings page's modes (issue 20) in Chromium against a real server on loopback: the owner turns Act off
 * for billing clerks in the roles × modes grid, proposes, sees the proposal card with the value before → after,
 * confirms it, and the page then shows the new setting; nothing changed before the confirm. A clerk sees the
 * settings read-only (no controls). Axe finds nothing serious and nothing overflows at 1280 and 390 px;
 * screenshots land in test-results/screenshots/. Also the approvals inbox shows an external agent's (gate) request
 * as the agent's own, untrusted data.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { viewModes } from '../../src/operations/policy-modes.ts';
import { browserAvailability, ensureDashboardBuilt, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { checkAndSave, PHONE, signedIn } from './dashboard-session.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`the settings page's modes (${testStoreKind})`, () => {
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

  const clerkModes = async () =>
    (await viewModes(fixture.store.db, fixture.orgId)).roles.find((row) => row.role === 'billing_clerk')?.modes;

  it('the owner toggles a mode, proposes, sees before → after, confirms, and the page shows the new setting', async () => {
    const page = await signedIn(chromium, contexts, fixture, server, OWNER, problems);
    await page.getByRole('link', { name: 'Modes' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByTestId('mode-preset').innerText()).toBe('full');

    await page.getByRole('checkbox', { name: 'Act for billing clerk' }).uncheck();
    expect(await page.getByLabel('Preset').inputValue()).toBe('custom');
    await page.getByLabel('Reason').fill('rollout: clerks read first');
    await page.getByLabel('Ticket or case').fill('ROLL-7');
    await page.getByRole('button', { name: 'Propose change' }).click();

    const card = page.locator('[data-proposal]');
    await card.waitFor();
    const row = card.getByRole('row', { name: /billing_clerk modes/ });
    expect(await row.locator('.before').innerText()).toBe('insight, act, integrate');
    expect(await row.locator('.after').innerText()).toBe('insight, integrate');
    expect(await clerkModes()).toEqual(['insight', 'act', 'integrate']); // proposing applied nothing
    await checkAndSave(page, 'settings-modes-proposal');

    await card.getByRole('button', { name: 'Confirm' }).click();
    await card.getByText('Executed').waitFor();
    await page.getByTestId('mode-preset').getByText('custom').waitFor();
    expect(await clerkModes()).toEqual(['insight', 'integrate']);
    await page.getByRole('button', { name: 'Back to the settings' }).click();
    expect(await page.getByRole('checkbox', { name: 'Act for billing clerk' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Act for billing manager' }).isChecked()).toBe(true);
    await checkAndSave(page, 'settings-modes');
    expect(problems).toEqual([]);
  }, 120_000);

  it('a clerk sees the settings read-only, on a phone too', async () => {
    const page = await signedIn(chromium, contexts, fixture, server, CLERK, problems, PHONE);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByTestId('mode-grid').waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Propose change' }).count()).toBe(0);
    const clerkRow = page.getByTestId('mode-grid').getByRole('row', { name: /billing clerk/ });
    expect(await clerkRow.innerText()).toMatch(/^billing clerk\s+On\s+(On|Off)\s+On$/);
    await page.getByText('Only the owner can change them.').waitFor();
    await checkAndSave(page, 'phone-settings-modes');
    expect(problems).toEqual([]);
  }, 120_000);

  it("the approvals inbox shows an external agent's request as the agent's untrusted data", async () => {
    const canonical = JSON.parse(
      readFileSync(new URL('../fixtures/gate/billing-change.canonical.json', import.meta.url), 'utf8'),
    ) as { context: Record<string, unknown> };
    const key = (await createApiKey(fixture.store.db, await fixture.member(MANAGER), 'Helpdesk bot', 'cli', 'gate'))
      .key;
    // Wrong JSON types: normalised and answered WARN, which opens a request in the inbox.
    const body = { ...canonical, context: { ...canonical.context, account_id: 7, idempotency_key: 'idem_inbox_1' } };
    const answer = await server.call<{ decision: string }>('POST', '/api/gate/validate', { token: key, body });
    expect(answer.body.decision).toBe('WARN');

    const page = await signedIn(chromium, contexts, fixture, server, OWNER, problems);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const external = page.getByTestId('external-request').first();
    await external.waitFor();
    const text = await external.innerText();
    expect(text).toContain('Asked by the external agent Helpdesk bot through the gate');
    expect(text).toContain('billing.change / change');
    expect(text).toContain(String(canonical.context.user_input));
    await page.getByRole('button', { name: 'Approve (the agent executes it)' }).first().waitFor();
    await checkAndSave(page, 'approvals-gate-request');
    expect(problems).toEqual([]);
  }, 120_000);
});
