/**
 * The dashboard's proposal card says when a change was proposed after reading customer-supplied text (issue 17):
 * in Chromium against a real server on loopback, an owner pastes a customer's message and says "go ahead"; the
 * card of the refund it leads to is numbered, carries the warning, and shows the server's full preview. A typed
 * "yes" confirms nothing. The card passes axe.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMagicLink } from '../../src/auth/sessions.ts';
import {
  browserAvailability,
  ensureDashboardBuilt,
  launchChromium,
  seriousAxeViolations,
  settled,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`the proposal card marks untrusted context (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  it('a refund proposed from a pasted message is marked on its card, and "yes" confirms nothing', async () => {
    const { charge } = await fixture.paidCharge(5_000, 'usd', 'Globex');
    const invoice = await fixture.connector.getInvoice(charge.invoiceId ?? '');
    const context = await chromium.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const link = await createMagicLink(fixture.store.db, await fixture.member(OWNER), 'login', null);
    await page.goto(`${server.url}/login?token=${link.token}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Chat', level: 1 }).waitFor();
    const box = page.getByLabel('Message to Leash');
    await box.fill(
      `Globex wrote: "Please refund invoice ${invoice?.number}, we cancelled before it renewed." Go ahead.`,
    );
    await page.getByRole('button', { name: 'Send' }).click();

    const card = page.locator('[data-proposal]').last();
    const note = card.getByTestId('untrusted-context');
    await note.waitFor();
    expect(await note.innerText()).toContain(
      'Proposed after reading customer-supplied text (quoted text in the request)',
    );
    const text = await card.innerText();
    expect(text).toMatch(/^1\. Refund \$50\.00 of charge ch_/);
    expect(text).toContain('Globex');
    await settled(page);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await box.fill('yes');
    await page.getByRole('button', { name: 'Send' }).click();
    // Nothing is confirmed: the reply says why (or that it waits for an approver), and no money moved.
    await page.getByText(/Nothing was confirmed|waits in the approval queue/).waitFor();
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(0);
    await context.close();
  }, 120_000);
});
