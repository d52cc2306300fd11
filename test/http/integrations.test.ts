/**
 * Stripe over HTTP: any member sees the status; only the owner connects or disconnects; a refused key is named
 * as refused and never echoed in the answer or the server's log.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type ErrorBody = { error: { code: string; message: string; field?: string } };

describe(`Stripe connection over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  const log: string[] = [];
  let owner: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, {
      masterKey: randomBytes(32),
      logger: pino({ level: 'debug' }, { write: (line: string) => log.push(line) }),
    });
    owner = (await server.signIn(OWNER)).token;
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  it('shows the status to any member, never a key', async () => {
    const reader = (await server.signIn(READER)).token;
    const status = await server.call<{ integration: Record<string, unknown> }>('GET', '/api/integrations/stripe', {
      token: reader,
    });
    expect(status.status).toBe(200);
    expect(status.body.integration).toMatchObject({ provider: 'stripe', status: 'not_connected', keyHint: null });
    expect((await server.call('GET', '/api/integrations/stripe')).status).toBe(401);
  });

  it('lets only the owner connect or disconnect', async () => {
    const clerk = (await server.signIn(CLERK)).token;
    const key = `rk_test_${'a'.repeat(99)}`;
    const connect = await server.call<ErrorBody>('POST', '/api/integrations/stripe', { token: clerk, body: { key } });
    expect(connect.status).toBe(403);
    expect(connect.body.error.code).toBe('forbidden');
    expect(JSON.stringify(connect.body)).not.toContain(key);
    const disconnect = await server.call<ErrorBody>('DELETE', '/api/integrations/stripe', { token: clerk });
    expect(disconnect.status).toBe(403);
    const notConnected = await server.call<ErrorBody>('DELETE', '/api/integrations/stripe', { token: owner });
    expect(notConnected.status).toBe(404);
  });

  it('refuses secret and publishable keys without echoing or logging them', async () => {
    for (const key of [`sk_test_${'S3cret'.repeat(8)}`, `pk_live_${'Publ1c'.repeat(8)}`, 'not-a-key-at-all-XYZ']) {
      const refused = await server.call<ErrorBody>('POST', '/api/integrations/stripe', { token: owner, body: { key } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('key');
      expect(JSON.stringify(refused.body)).not.toContain(key);
      expect(log.join('\n')).not.toContain(key);
    }
    const extra = await server.call<ErrorBody>('POST', '/api/integrations/stripe', {
      token: owner,
      body: { key: 'rk_test_x', as: 'owner' },
    });
    expect(extra.status).toBe(400);
    const status = await server.call<{ integration: { status: string } }>('GET', '/api/integrations/stripe', {
      token: owner,
    });
    expect(status.body.integration.status).toBe('not_connected');
  });
});
