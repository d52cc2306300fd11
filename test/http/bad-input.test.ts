/**
 * Bad input over HTTP is a 400 naming the field, refused before any transaction and audited as `input.refused`
 * for a signed-in caller (an anonymous one is only refused): NUL and lone surrogates in bodies, nested fields,
 * keys, queries and non-operation routes; a body nested 50,000 deep. Store data exceptions are bad input; an
 * unexpected error answers with its request id, never its message. Approval handles (base64url: `-` and `_`)
 * approve by handle.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { isLeashError, LeashError } from '../../src/domain/errors.ts';
import { handleError, INTERNAL_MESSAGE } from '../../src/http/errors.ts';
import { storeInputError } from '../../src/store/store-input-error.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`bad input over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let owner = '';

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    owner = (await server.signIn(OWNER)).token;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  const refusals = async () =>
    listAuditEvents(fixture.store.db, fixture.orgId, { event: 'input.refused', newestFirst: true });
  const eventCount = async () => (await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 10_000 })).length;

  it.each([
    ['NUL in a field', '/api/operations/search_customers', { query: 'acme\u0000corp' }, 'query', 'nul'],
    ['lone surrogate', '/api/operations/search_customers', { query: 'acme\ud800' }, 'query', 'lone_surrogate'],
    [
      'nested field',
      '/api/operations/create_invoice',
      { customer_id: 'cus_x', currency: 'usd', lines: [{ description: 'ok' }, { description: 'x\udc00y' }] },
      'lines.1.description',
      'lone_surrogate',
    ],
    ['a key', '/api/operations/search_customers', { 'query\u0000': 'acme' }, 'query\\u0000', 'nul'],
    ['a route outside operations', '/api/conversations', { message: 'refund acme\u0000' }, 'message', 'nul'],
  ])(
    '%s: 400 naming the field, audited with who and where, nothing else runs',
    async (_name, path, body, field, problem) => {
      const before = await eventCount();
      const answer = await server.call('POST', path, { token: owner, body });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'bad_input', field } });
      expect((answer.body as { error: { message: string } }).error.message).toContain(`${field}: contains`);
      const [refused] = await refusals();
      expect(refused).toMatchObject({
        actorEmail: OWNER,
        channel: 'http',
        requestId: answer.headers.get('x-request-id'),
        arguments: { field, problem, route: `POST ${path}` },
      });
      // Only the refusal: no read, no proposal, no conversation.
      expect(await eventCount()).toBe(before + 1);
    },
  );

  it('bad input from a gate-only key on the gate is refused and audited on the gate channel', async () => {
    const { key } = await createApiKey(fixture.store.db, await fixture.member(FINANCE), 'Helpdesk bot', 'cli', 'gate');
    const answer = await server.call('POST', '/api/gate/validate', {
      token: key,
      body: { action_kind: 'money.refund\u0000', action_type: 'refund', ai_output: {}, context: {} },
    });
    expect(answer.status).toBe(400);
    const [refused] = await refusals();
    expect(refused).toMatchObject({
      actorEmail: FINANCE,
      channel: 'gate',
      requestId: answer.headers.get('x-request-id'),
      arguments: { field: 'action_kind', problem: 'nul', route: 'POST /api/gate/validate' },
    });
  });

  it('a query parameter with NUL is a 400 naming it', async () => {
    const answer = await server.call('GET', '/api/audit?member=mem_x%00', { token: owner });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'bad_input', field: 'member' } });
  });

  it('a date the store cannot hold is a 400, not a 500', async () => {
    const answer = await server.call('GET', '/api/audit?from=-200000-01-01T00:00:00Z', { token: owner });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'bad_input' } });
    expect(JSON.stringify(answer.body)).not.toMatch(/timestamp|PostgreSQL|select/i);
  });

  it('a body nested 50,000 deep is a 400 before it is parsed, and audited', async () => {
    // 100 kB: under the body limit, so it is the nesting that is refused.
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const response = await fetch(`${server.url}/api/operations/search_customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: deep,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_input', field: 'body' } });
    const refused = (await refusals())[0];
    expect(refused?.arguments).toMatchObject({ field: 'body', problem: 'too_deep' });
  });

  it('an anonymous caller is refused the same, and nothing is audited', async () => {
    const before = await eventCount();
    const answer = await server.call('POST', '/api/auth/login', { body: { email: 'olivia@northwind.test\u0000' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'bad_input', field: 'email' } });
    const forged = await server.call('POST', '/api/operations/search_customers', {
      token: 'not-a-token',
      body: { query: '\u0000' },
    });
    expect(forged.status).toBe(400);
    expect(await eventCount()).toBe(before);
  });

  it('approves by a handle holding - and _ (base64url, as Leash makes them)', async () => {
    const clerk = (await server.signIn(CLERK)).token;
    const { charge } = await fixture.paidCharge(50_000, 'usd', 'Handle Corp');
    let handle = '';
    for (let attempt = 0; attempt < 200 && !(handle.includes('-') && handle.includes('_')); attempt += 1) {
      const proposed = await server.call('POST', '/api/operations/refund_charge', {
        token: clerk,
        body: { charge_id: charge.id, amount: 1_200 + attempt, reason: 'charged twice', case_id: 'T-9' },
      });
      expect(proposed.status).toBe(201);
      handle = (proposed.body as { approval?: { handle?: string } }).approval?.handle ?? '';
    }
    expect(handle).toMatch(/^aph_[A-Za-z0-9_-]*-[A-Za-z0-9_-]*$/);
    expect(handle).toContain('_');
    const finance = (await server.signIn(FINANCE)).token;
    const shown = await server.call('GET', `/api/approvals/${handle}`, { token: finance });
    expect(shown.status).toBe(200);
    const approved = await server.call('POST', `/api/approvals/${handle}/approve`, {
      token: finance,
      body: { reason: 'duplicate confirmed on the statement', confirm_text: 'CONFIRM' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'succeeded' });
  });

  it.each([
    ['a NUL in text', sql`select ${'a\u0000b'}::text as value`, ['22021', '22P05']],
    ['a number out of range', sql`select 99999999999::int as value`, ['22003']],
    ['a date out of range', sql`select '294277-01-01'::timestamptz as value`, ['22008']],
    ['text that is no number', sql`select 'twelve'::int as value`, ['22P02']],
  ])('the store refusing %s is bad input, not an internal error', async (_name, query, states) => {
    const error = await query.execute(fixture.store.db).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(states).toContain((error as { code?: string }).code);
    const mapped = storeInputError(error);
    expect(isLeashError(mapped, 'bad_input')).toBe(true);
    expect(mapped?.message).not.toMatch(/PostgreSQL|byte sequence|syntax|select/i);
  });

  it('the error handler: a store data exception is a 400, anything unexpected a 500 with only its request id', async () => {
    const logged: unknown[] = [];
    const app = Fastify({ logger: false });
    app.setErrorHandler((error, request, reply) => {
      if (reply.statusCode >= 500 || !(error instanceof LeashError)) logged.push(error);
      return handleError(error as never, request, reply);
    });
    app.get('/store', async () => sql`select 'twelve'::int`.execute(fixture.store.db));
    app.get('/crash', async () => JSON.parse('{"at": /work/secret.ts:12'));
    app.get('/invariant', async () => {
      throw new LeashError('internal', 'the audit chain of org_123 has no head (select * from audit_heads)');
    });
    const store = await app.inject({ method: 'GET', url: '/store' });
    expect(store.statusCode).toBe(400);
    expect(store.json()).toMatchObject({ error: { code: 'bad_input', field: 'input' } });
    for (const url of ['/crash', '/invariant']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(answer.statusCode).toBe(500);
      expect(answer.json()).toEqual({
        error: { code: 'internal', message: INTERNAL_MESSAGE, requestId: expect.any(String) },
      });
      expect(answer.body).not.toMatch(/secret|audit_heads|org_123|SyntaxError/);
    }
    expect(logged.length).toBeGreaterThanOrEqual(2);
    await app.close();
  });
});
