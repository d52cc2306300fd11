/**
 * A real Leash server on loopback for HTTP tests, over a test fixture's store, with helpers to sign in (a magic
 * link redeemed over HTTP) and call the API with fetch.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { createMagicLink } from '../../src/auth/sessions.ts';
import { createServer, type ServerOptions } from '../../src/http/server.ts';
import type { LeashFixture } from './leash-fixture.ts';

/** A response as tests look at it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A running test server. */
export interface TestServer {
  url: string;
  app: FastifyInstance;
  signingKey: Uint8Array;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** Signs in by a magic link redeemed over HTTP: the access token and the refresh cookie. */
  signIn(email: string): Promise<{ token: string; cookie: string }>;
  /** An API key for a member. */
  apiKey(email: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and an ephemeral port. */
export async function startTestServer(
  fixture: LeashFixture,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const signingKey = options.signingKey ?? new Uint8Array(randomBytes(32));
  const app = await createServer({
    store: fixture.store,
    gate: fixture.gate,
    signingKey,
    publicUrl: 'http://127.0.0.1',
    development: true,
    logger: false,
    version: 'test',
    rateLimits: { signIn: 10_000, writes: 10_000, mcp: 10_000 },
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const call: TestServer['call'] = async (method, path, callOptions = {}) => {
    const headers: Record<string, string> = { ...(callOptions.headers ?? {}) };
    if (callOptions.token) headers.authorization = `Bearer ${callOptions.token}`;
    if (callOptions.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(callOptions.body !== undefined ? { body: JSON.stringify(callOptions.body) } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (an export, a page)
    }
    return { status: response.status, body: body as never, headers: response.headers };
  };
  return {
    url,
    app,
    signingKey,
    call,
    async signIn(email) {
      const link = await createMagicLink(fixture.store.db, await fixture.member(email), 'login', null);
      const response = await fetch(`${url}/api/auth/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: link.token }),
      });
      const body = (await response.json()) as { access_token: string };
      if (response.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      return { token: body.access_token, cookie };
    },
    async apiKey(email) {
      return (await createApiKey(fixture.store.db, await fixture.member(email), 'test key')).key;
    },
    close: () => app.close(),
  };
}
