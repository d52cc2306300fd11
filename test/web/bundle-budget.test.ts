/**
 * The dashboard's bundle budget: the JavaScript the first page load needs (the entry script and the modules it
 * preloads), gzipped, stays under 150 KB. The build is made if web/dist is missing. A failure names the size.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../support/browser.ts';

/** Gzipped bytes of JavaScript on first load (see docs/decisions/0010-dashboard.md). */
const ENTRY_JS_BUDGET = 150 * 1024;

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

describe('dashboard bundle budget', () => {
  beforeAll(ensureDashboardBuilt);

  it(`keeps the first load's JavaScript under ${ENTRY_JS_BUDGET / 1024} KB gzipped`, () => {
    const html = readFileSync(`${DIST}index.html`, 'utf8');
    const scripts = [
      ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
      ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
    ].map((found) => found[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const script of scripts) {
      expect(existsSync(`${DIST}${script}`), script).toBe(true);
      gzipped += gzipSync(readFileSync(`${DIST}${script}`), { level: 9 }).length;
    }
    console.log(
      `dashboard first-load JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${ENTRY_JS_BUDGET / 1024} KB)`,
    );
    expect(gzipped, `first-load JavaScript is ${(gzipped / 1024).toFixed(1)} KB gzipped`).toBeLessThanOrEqual(
      ENTRY_JS_BUDGET,
    );
  });
});
