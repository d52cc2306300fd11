/**
 * A signed-out visit in a real browser: the dashboard lands on the sign-in page without a single console error
 * (no failed request logged, no script error), and the page says where the sign-in link goes, including the
 * development case where the server prints it in its terminal.
 */

import pino from 'pino';
import type { Browser, ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailability, ensureDashboardBuilt, launchChromium, settled } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const browser = browserAvailability();

describe.runIf(browser.available)(`a signed-out visit in Chromium (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chromium: Browser;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, { logger: pino({ level: 'silent' }) });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await fixture?.close();
  });

  for (const path of ['/', '/approvals', '/login']) {
    it(`loads ${path} signed out with no console error and says where the link is`, async () => {
      const context = await chromium.newContext({ viewport: { width: 1280, height: 860 } });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (message: ConsoleMessage) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${server.url}${path}`);
        await page.getByRole('heading', { name: 'Sign in to Leash' }).waitFor();
        await settled(page);
        expect(errors).toEqual([]);
        expect(await page.getByTestId('link-where').innerText()).toMatch(/terminal running leash start/);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
