/**
 * The Origin guard accepts this server's own origin only (issue 17: any `localhost` port passed, so a page served
 * by another program on this machine could call the API with a member's token). A real server on loopback;
 * requests carry the exact Host and Origin a browser would send. Own origin (as reached, or the public URL):
 * accepted. Another port, another loopback name's port, another scheme, `null`: 403, and a write does nothing.
 * No Origin (the CLI, curl, MCP clients): accepted as before.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

/** One request with exactly these headers; answers status and JSON body. */
function send(
  port: number,
  options: { method?: string; path: string; headers: Record<string, string>; body?: unknown },
): Promise<{ status: number; body: { error?: { code: string } } & Record<string, unknown> }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...options.headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

describe(`the Origin guard accepts this server's own origin only (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let port = 0;
  let otherPort = 0;
  let token = '';

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, { publicUrl: 'https://leash.example.com' });
    port = Number(new URL(server.url).port);
    otherPort = await freePort();
    token = await server.apiKey(CLERK);
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  const me = (host: string, origin?: string) =>
    send(port, {
      path: '/api/me',
      headers: { host, authorization: `Bearer ${token}`, ...(origin !== undefined ? { origin } : {}) },
    });

  it.each([
    ['the origin it was reached at (127.0.0.1)', () => `127.0.0.1:${port}`, () => `http://127.0.0.1:${port}`],
    ['the origin it was reached at (localhost)', () => `localhost:${port}`, () => `http://localhost:${port}`],
    ['the origin it was reached at ([::1])', () => `[::1]:${port}`, () => `http://[::1]:${port}`],
    ['its public URL (behind a TLS proxy)', () => 'leash.example.com', () => 'https://leash.example.com'],
    [
      'its public URL with the default port written out',
      () => 'leash.example.com',
      () => 'https://leash.example.com:443',
    ],
    ['the dev server proxying to it (npm run dev:web)', () => 'localhost:5173', () => 'http://localhost:5173'],
  ])('accepts %s', async (_name, host, origin) => {
    const answer = await me(host(), origin());
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });

  it('accepts a request with no Origin (CLI, curl, MCP clients)', async () => {
    expect((await me(`127.0.0.1:${port}`)).status).toBe(200);
  });

  it.each([
    ['localhost on another port', () => `http://localhost:${otherPort}`],
    ['127.0.0.1 on another port', () => `http://127.0.0.1:${otherPort}`],
    ['[::1] on another port', () => `http://[::1]:${otherPort}`],
    ['localhost on the default port', () => 'http://localhost'],
    ['another loopback name on its port', () => `http://localhost:${port}`],
    ['its own host over another scheme', () => `https://127.0.0.1:${port}`],
    ['its public host over http', () => 'http://leash.example.com'],
    ['a foreign site', () => 'https://evil.example'],
    ['an opaque origin', () => 'null'],
    ['something that is not an origin', () => 'not a url'],
  ])('refuses %s with 403', async (_name, origin) => {
    const answer = await me(`127.0.0.1:${port}`, origin());
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe('forbidden');
  });

  it('a write from another localhost port is refused before it runs: no ticket is opened', async () => {
    const { customer } = await fixture.paidCharge(1_500, 'usd', 'Origin Test Co');
    const count = async () =>
      Number(
        (
          await fixture.store.db
            .selectFrom('tickets')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('orgId', '=', fixture.orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const body = { message: 'I was charged twice', customer: customer.id };
    const refused = await send(port, {
      method: 'POST',
      path: '/api/tickets',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${otherPort}`, authorization: `Bearer ${token}` },
      body,
    });
    expect(refused.status).toBe(403);
    expect(await count()).toBe(before);
    const accepted = await send(port, {
      method: 'POST',
      path: '/api/tickets',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}`, authorization: `Bearer ${token}` },
      body,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(await count()).toBe(before + 1);
  });
});
