/**
 * Browser tests: Debian's Chromium driven by playwright-core (headless, no sandbox, no background networking),
 * the dashboard built when web/dist is missing, axe-core run inside a page, and screenshots saved to
 * test-results/screenshots/. Under CI=true a missing browser is a failure; elsewhere the tests are skipped.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** The Chromium binary the tests drive. */
export const CHROMIUM = process.env.LEASH_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser is there; the reason to skip (or, on CI, fail) when it is not. */
export function browserAvailability(): { available: boolean; message: string } {
  if (existsSync(CHROMIUM)) return { available: true, message: '' };
  return {
    available: false,
    message: `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LEASH_CHROMIUM to a Chromium binary; the dashboard's browser tests need it`,
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where screenshots go. */
export const SCREENSHOTS = `${ROOT}test-results/screenshots`;

/** Builds the dashboard unless web/dist already holds a build. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (existsSync(`${ROOT}web/dist/index.html`)) return;
  const { build } = await import('vite');
  await build({ configFile: `${ROOT}web/vite.config.ts`, logLevel: 'warn' });
}

/** Launches Chromium the way CI runs it. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe finding, as tests report it. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays as it is). */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  // Evaluated as text: the test process has no DOM types, the page does.
  const findings = (await page.evaluate(`(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  })()`)) as AxeFinding[];
  return findings.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** How far the page is wider than its viewport (0 when nothing overflows sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
}

/** Waits until no loading line is on the page. */
export async function settled(page: Page): Promise<void> {
  // A function, not a string: polling a string would need eval, which the page's CSP rightly refuses.
  const noLoadingLine = () =>
    (
      globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }
    ).document.querySelectorAll('.loading').length === 0;
  await page.waitForFunction(noLoadingLine, null, { timeout: 20_000 });
}
