/**
 * The HTTP API against a real listening server on loopback: one error body everywhere, bad input named, the
 * same gate and two-person rule as the CLI, security headers, no CORS, the Host/Origin guard, rate limits,
 * the OpenAPI document and the Stripe webhook placeholder.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/operations/registry.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type ErrorBody = { error: { code: string; message: string; requestId: string; field?: string } };

describe(`HTTP API (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let clerk: string;
  let finance: string;
  let reader: string;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    fixture = await openLeashFixture();
    // Server errors are kept, so a 500 in a test says what went wrong.
    server = await startTestServer(fixture, {
      logger: pino({ level: 'error' }, { write: (line: string) => serverErrors.push(line) }),
    });
    clerk = (await server.signIn(CLERK)).token;
    finance = (await server.signIn(FINANCE)).token;
    reader = (await server.signIn(READER)).token;
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  it('serves the OpenAPI document with a path per operation, and the docs', async () => {
    const { status, body } = await server.call<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(status).toBe(200);
    for (const operation of registry.values()) expect(body.paths).toHaveProperty(`/api/operations/${operation.name}`);
    expect(body.paths).toHaveProperty('/api/approvals/{id}/approve');
    const refund = body.paths['/api/operations/refund_charge'] as {
      post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } };
    };
    expect(refund.post.requestBody.content['application/json'].schema.properties).toHaveProperty('charge_id');
    const docs = await fetch(`${server.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('answers every error with one body: code, message, requestId (and the field for bad input)', async () => {
    const missing = await server.call<ErrorBody>('GET', '/api/nothing-here', { token: clerk });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', requestId: expect.stringMatching(/^req_/) });
    expect(missing.headers.get('x-request-id')).toBe(missing.body.error.requestId);

    const anonymous = await server.call<ErrorBody>('POST', '/api/operations/search_customers', {
      body: { query: 'a' },
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');

    const wrongType = await server.call<ErrorBody>('POST', '/api/operations/get_invoice', {
      token: clerk,
      body: { number: 42 },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ code: 'bad_input', field: 'number' });

    const unknownField = await server.call<ErrorBody>('POST', '/api/operations/refund_charge', {
      token: clerk,
      body: { charge_id: 'ch_x', reason: 'r', case_id: 'T-1', as_role: 'owner' },
    });
    expect(unknownField.status).toBe(400);

    const notJson = await fetch(`${server.url}/api/operations/get_invoice`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      body: '{"number":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as ErrorBody).error.code).toBe('bad_input');

    const badQuery = await server.call<ErrorBody>('GET', '/api/approvals?status=maybe', { token: clerk });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.field).toBe('status');

    const badParam = await server.call<ErrorBody>('GET', '/api/proposals/not-an-id', { token: clerk });
    expect(badParam.status).toBe(400);
    expect(badParam.body.error.field).toBe('id');
  });

  it('a clerk proposes a refund, cannot approve it; finance approves it once; the chain verifies', async () => {
    const { charge } = await fixture.paidCharge(8_000, 'usd', 'Acme Corp');
    const proposed = await server.call<{ id: string; status: string; approval: { id: string } }>(
      'POST',
      '/api/operations/refund_charge',
      { token: clerk, body: { charge_id: charge.id, amount: 2_000, reason: 'charged twice', case_id: 'T-1' } },
    );
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ status: 'awaiting_approval', decision: { outcome: 'warn' } });

    const confirm = await server.call<ErrorBody>('POST', `/api/proposals/${proposed.body.id}/confirm`, {
      token: clerk,
      body: {},
    });
    expect(confirm.status).toBe(403);
    const self = await server.call<ErrorBody>('POST', `/api/approvals/${proposed.body.approval.id}/approve`, {
      token: clerk,
      body: { reason: 'I checked it myself', confirm_text: 'CONFIRM' },
    });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('blocked');

    const inbox = await server.call<{ requests: { id: string; requester: string }[] }>('GET', '/api/approvals', {
      token: finance,
    });
    expect(inbox.body.requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: proposed.body.approval.id, requester: CLERK })]),
    );
    const [first, second] = await Promise.all(
      [0, 1].map(() =>
        server.call<{ status: string }>('POST', `/api/approvals/${proposed.body.approval.id}/approve`, {
          token: finance,
          body: { reason: 'duplicate confirmed', confirm_text: 'CONFIRM' },
        }),
      ),
    );
    const statuses = [first?.body.status ?? first?.status, second?.body.status ?? second?.status];
    expect(statuses.filter((status) => status === 'succeeded')).toHaveLength(1);
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(2_000);
    const shown = await server.call('GET', `/api/proposals/${proposed.body.id}`, { token: clerk });
    expect(shown.body).toMatchObject({ status: 'succeeded' });
    const verify = await server.call('GET', '/api/audit/verify', { token: reader });
    expect(verify.body).toMatchObject({ ok: true });
    const events = await server.call<{ events: { event: string; channel: string }[] }>(
      'GET',
      '/api/audit?event=execution.succeeded',
      { token: reader },
    );
    expect(events.body.events.some((event) => event.channel === 'http')).toBe(true);
  });

  it('a read_only member is blocked from writes by the same gate', async () => {
    const { charge } = await fixture.paidCharge(1_000);
    const blocked = await server.call('POST', '/api/operations/refund_charge', {
      token: reader,
      body: { charge_id: charge.id, amount: 100, reason: 'r', case_id: 'T-2' },
    });
    expect(blocked.status).toBe(201);
    expect(blocked.body).toMatchObject({ status: 'blocked', decision: { outcome: 'block' } });
  });

  it('sends security headers, no CORS, and refuses foreign Host or Origin (DNS rebinding)', async () => {
    const response = await server.call('GET', '/api/me', {
      token: clerk,
      headers: { origin: 'http://127.0.0.1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const foreignOrigin = await server.call<ErrorBody>('GET', '/api/me', {
      token: clerk,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.body.error.code).toBe('forbidden');
    const preflight = await fetch(`${server.url}/api/me`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/health`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('tickets opened at the same time get distinct, consecutive numbers', async () => {
    const { customer } = await fixture.paidCharge(2_000, 'usd', 'Initech');
    const opened = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        server.call<{ ticket: { number: string } }>('POST', '/api/tickets', {
          token: clerk,
          body: { message: `Question ${n}: why is my invoice higher this month?`, customer: customer.id },
        }),
      ),
    );
    expect(
      opened.map((response) => response.status),
      serverErrors.join('\n'),
    ).toEqual([201, 201, 201, 201]);
    const numbers = opened.map((response) => Number(response.body.ticket.number.slice(2))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(4);
    expect(numbers.at(-1)).toBe((numbers[0] ?? 0) + 3);
    const listed = await server.call<{ tickets: unknown[] }>('GET', `/api/tickets?customer=${customer.id}`, {
      token: clerk,
    });
    expect(listed.body.tickets).toHaveLength(4);
  });

  it('refuses Stripe webhooks until Stripe is connected', async () => {
    const response = await server.call<ErrorBody>('POST', '/webhooks/stripe', { body: { id: 'evt_1' } });
    expect(response.status).toBe(409);
    expect(response.body.error.message).toMatch(/not connected/);
  });

  it('rate-limits writes per credential and sign-in per address, with the same error body', async () => {
    // Limits count in the database for every server on it (issue 19): start this one's budgets from nothing, not
    // from the sign-ins the other tests of this file made from the same address.
    await sql`delete from rate_limit_hits`.execute(fixture.store.db);
    const limited = await startTestServer(fixture, { rateLimits: { writes: 2, signIn: 2 } });
    try {
      const token = (await limited.signIn(READER)).token;
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const response = await limited.call('POST', '/api/keys', { token, body: { name: `k${attempt}` } });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
      // Reads are not write-limited.
      expect((await limited.call('GET', '/api/me', { token })).status).toBe(200);
      const logins: ApiStatus[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1)
        logins.push(await limited.call('POST', '/api/auth/login', { body: { email: 'nobody@example.com' } }));
      expect(logins.map((response) => response.status)).toEqual([202, 202, 429]);
      expect((logins[2] as { body: ErrorBody }).body.error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});

type ApiStatus = { status: number; body: unknown };
