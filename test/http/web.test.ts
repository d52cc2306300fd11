/**
 * The dashboard's serving: the built app at `/` with a fallback to index.html for its own paths (never for the
 * API, MCP, webhooks or docs), hashed assets cached for a year and index.html not at all, and a page saying how
 * to build it when web/dist is missing. Fixture builds in a temporary directory stand in for web/dist.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`dashboard serving (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let built: TestServer;
  let missing: TestServer;
  const root = mkdtempSync(join(tmpdir(), 'leash-web-'));

  beforeAll(async () => {
    fixture = await openLeashFixture();
    mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
    writeFileSync(
      join(root, 'dist', 'index.html'),
      '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>',
    );
    writeFileSync(join(root, 'dist', 'assets', 'index-abc123.js'), 'console.log("leash")');
    writeFileSync(join(root, 'dist', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    mkdirSync(join(root, 'empty'));
    built = await startTestServer(fixture, { webRoot: join(root, 'dist') });
    missing = await startTestServer(fixture, { webRoot: join(root, 'empty') });
  });
  afterAll(async () => {
    await built.close();
    await missing.close();
    await fixture.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers the app's own paths with index.html, uncached, under the server's CSP", async () => {
    for (const path of ['/', '/chat', '/customers/cus_123', '/audit?event=data.read', '/login?token=abc']) {
      const response = await fetch(`${built.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets for a year and other files uncached', async () => {
    const asset = await fetch(`${built.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toContain('leash');
    const icon = await fetch(`${built.url}/favicon.svg`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    const gone = await fetch(`${built.url}/assets/index-old999.js`);
    expect(gone.status).toBe(200); // an unknown path outside the API is the app; its script tag decides
  });

  it('never answers the API, MCP, webhooks or docs with the app', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['GET', '/api'],
      ['GET', '/webhooks/nothing'],
      ['GET', '/docs/nothing-here.js'],
      ['POST', '/chat'],
      ['DELETE', '/customers'],
    ] as const) {
      const response = await built.call<{ error: { code: string } }>(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect((await fetch(`${built.url}/health`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${built.url}/openapi.json`)).headers.get('content-type')).toContain('application/json');
  });

  it('without a build, says how to make one; the API and the plain sign-in page still work', async () => {
    const page = await fetch(`${missing.url}/approvals`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build:web');
    const login = await fetch(`${missing.url}/login?token=abc`);
    expect(await login.text()).toContain('Sign in to Leash');
    const api = await missing.call<{ error: { code: string } }>('GET', '/api/me');
    expect(api.status).toBe(401);
  });
});
