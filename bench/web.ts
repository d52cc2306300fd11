/**
 * The dashboard's first load on localhost: Chromium (playwright-core, headless) opens the app with an empty cache
 * and a signed-in member's refresh cookie, and the Navigation Timing API says when the document loaded; the app
 * is ready when the signed-in page shows (session refreshed, /api/me answered, the page drawn). Baseline: the
 * same browser navigating to GET /health, the smallest answer the server gives. Also the entry's gzipped size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createDemoOrg } from '../src/auth/demo-members.ts';
import { findMemberByEmail } from '../src/auth/members.ts';
import { createMagicLink } from '../src/auth/sessions.ts';
import { generateDemo } from '../src/demo/generate-demo.ts';
import { openStore } from '../src/store/db.ts';
import { CHROMIUM, launchChromium } from '../test/support/browser.ts';
import { startBenchServer } from './bench-server.ts';
import { type Latency, summarise } from './stats.ts';

/** What {@link measureWeb} reports. */
export interface WebFigures {
  rounds: number;
  /** Gzipped bytes of the JavaScript the first load needs. */
  entryGzipBytes: number;
  /** Navigation start → load event, empty cache. */
  coldLoad: Latency;
  /** Navigation start → the signed-in page on screen, empty cache. */
  coldReady: Latency;
  /** The same, with the browser's cache warm (hashed assets cached). */
  warmReady: Latency;
  /** Baseline: navigation start → load event of GET /health. */
  health: Latency;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function entryGzipBytes(): number {
  const html = readFileSync(`${ROOT}web/dist/index.html`, 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((found) => found[1] as string);
  return scripts.reduce((total, script) => total + gzipSync(readFileSync(`${ROOT}web/dist/${script}`)).length, 0);
}

/** Measures the first load over `rounds` fresh browser contexts. */
export async function measureWeb(rounds = 10): Promise<WebFigures> {
  if (!existsSync(`${ROOT}web/dist/index.html`)) {
    const { build } = await import('vite');
    await build({ configFile: `${ROOT}web/vite.config.ts`, logLevel: 'warn' });
  }
  const executablePath = CHROMIUM;
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set LEASH_CHROMIUM`);
  const store = await openStore({ dataDir: 'memory://' });
  const { org } = await createDemoOrg(store.db);
  await generateDemo(store, { orgId: org.id, customers: 120, months: 12, seed: 'bench-web', endAt: new Date() });
  const { app, url } = await startBenchServer(store);
  const browser = await launchChromium();
  const member = await findMemberByEmail(store.db, org.id, 'fiona@northwind.test');
  if (!member) throw new Error('no demo member');
  const refreshCookie = async () => {
    const link = await createMagicLink(store.db, member, 'login', null);
    const response = await fetch(`${url}/api/auth/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.token }),
    });
    return /leash_refresh=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? '';
  };
  const loadTime = `(() => { const [entry] = performance.getEntriesByType('navigation'); return entry.loadEventEnd - entry.startTime; })()`;
  const coldLoad: number[] = [];
  const coldReady: number[] = [];
  const warmReady: number[] = [];
  const health: number[] = [];
  try {
    for (let round = 0; round < rounds + 1; round += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      await context.addCookies([
        {
          name: 'leash_refresh',
          value: await refreshCookie(),
          url: `${url}/api/auth`,
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      const page = await context.newPage();
      await page.goto(`${url}/insights`);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const ready = (await page.evaluate('performance.now()')) as number;
      const load = (await page.evaluate(loadTime)) as number;
      // The same member again with the cache warm: a reload (the cookie has rotated; the new one is in the jar).
      await page.reload();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const warm = (await page.evaluate('performance.now()')) as number;
      await page.goto(`${url}/health`);
      const baseline = (await page.evaluate(loadTime)) as number;
      await context.close();
      if (round === 0) continue; // the first round warms the server and the browser process
      coldReady.push(ready);
      coldLoad.push(load);
      warmReady.push(warm);
      health.push(baseline);
    }
  } finally {
    await browser.close();
    await app.close();
    await store.close();
  }
  return {
    rounds,
    entryGzipBytes: entryGzipBytes(),
    coldLoad: summarise(coldLoad),
    coldReady: summarise(coldReady),
    warmReady: summarise(warmReady),
    health: summarise(health),
  };
}
