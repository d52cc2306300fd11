/**
 * Shared by the dashboard's browser tests (tables, customer page, settings, audit, insights): a signed-in
 * Chromium page for a member, with every page error and console error collected, and a check that saves a
 * screenshot after axe finds nothing serious and
 * nothing overflows sideways.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createMagicLink } from '../../src/auth/sessions.ts';
import { horizontalOverflow, screenshot, seriousAxeViolations, settled } from '../support/browser.ts';
import type { TestServer } from '../support/http.ts';
import type { LeashFixture } from '../support/leash-fixture.ts';

/** A viewport: a laptop or a phone. */
export const WIDE = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * Opens a magic link for `email` in a fresh context (in the browser's own `timezoneId` when given) and signs in;
 * problems land in `problems`.
 */
export async function signedIn(
  chromium: Browser,
  contexts: BrowserContext[],
  fixture: LeashFixture,
  server: TestServer,
  email: string,
  problems: string[],
  viewport = WIDE,
  timezoneId?: string,
): Promise<Page> {
  const context = await chromium.newContext({ viewport, locale: 'en-US', ...(timezoneId ? { timezoneId } : {}) });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => problems.push(`${email}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(`${email}: ${message.text()}`);
  });
  const link = await createMagicLink(fixture.store.db, await fixture.member(email), 'login', null);
  await page.goto(`${server.url}/login?token=${link.token}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** Axe finds nothing serious, nothing overflows sideways; saved as test-results/screenshots/<name>.png. */
export async function checkAndSave(page: Page, name: string): Promise<void> {
  await settled(page);
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  expect(await horizontalOverflow(page), `sideways overflow on ${name}`).toBeLessThanOrEqual(0);
  await screenshot(page, name);
}
