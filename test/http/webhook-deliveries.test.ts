/**
 * Webhook endpoints and deliveries over HTTP (issue 20, the dashboard's view): endpoints are listed without their
 * secrets; deliveries come a page at a time with the count that match, filtered by endpoint and status (pending,
 * retrying, delivered, dead), or one by id, for any member; redelivery is for the owner and billing managers, audited, and sends
 * the dead delivery again to a receiver that now answers 200. Bad input is a 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { deliverDue } from '../../src/webhooks/deliver.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, MANAGER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import {
  allowLoopbackEndpoints,
  createEndpoint,
  driveDeliveries,
  type Receiver,
  refund,
  SHORT_RETRIES,
  startReceiver,
} from './webhook-deliveries-setup.ts';

interface Delivery {
  id: string;
  endpointId: string;
  eventType: string;
  state: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  nextAttemptAt: string | null;
}
interface Page {
  deliveries: Delivery[];
  count: number;
}
interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

describe(`webhook deliveries over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let restore: () => void;
  let failing: Receiver;
  let healthy: Receiver;
  let failingEndpoint: string;
  let healthyEndpoint: string;
  let reader: string;
  let clerk: string;
  let manager: string;

  beforeAll(async () => {
    restore = allowLoopbackEndpoints();
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    failing = await startReceiver(500);
    healthy = await startReceiver(200);
    failingEndpoint = await createEndpoint(fixture, failing.url);
    healthyEndpoint = await createEndpoint(fixture, healthy.url);
    // Three refunds: three deliveries to each endpoint. Two rounds: the healthy ones are delivered at once, the
    // failing ones fail twice and are dead-lettered. A fourth refund then fails once: retrying.
    for (let index = 0; index < 3; index += 1) await refund(fixture);
    await driveDeliveries(fixture, SHORT_RETRIES.maxAttempts);
    await refund(fixture);
    await deliverDue(fixture.store.db, fixture.orgId, { policy: SHORT_RETRIES, timeoutMs: 2_000 });
    reader = (await server.signIn(READER)).token;
    clerk = (await server.signIn(CLERK)).token;
    manager = (await server.signIn(MANAGER)).token;
  }, 240_000);
  afterAll(async () => {
    await failing?.close();
    await healthy?.close();
    await server?.close();
    await fixture?.close();
    restore?.();
  });

  const deliveries = (query: string, token = reader) =>
    server.call<Page>('GET', `/api/webhooks/deliveries${query}`, { token });

  it('lists the endpoints for any member, never their secrets', async () => {
    const { status, body } = await server.call<{ endpoints: Record<string, unknown>[] }>(
      'GET',
      '/api/webhooks/endpoints',
      { token: reader },
    );
    expect(status).toBe(200);
    expect(body.endpoints.map((endpoint) => endpoint.id)).toEqual([failingEndpoint, healthyEndpoint]);
    expect(body.endpoints[0]).toMatchObject({ url: failing.url, events: ['refund.created'], disabled: false });
    expect(JSON.stringify(body)).not.toMatch(/whsec_|secret/i);
    expect((await server.call('GET', '/api/webhooks/endpoints')).status).toBe(401);
  });

  it('pages the deliveries newest first with the count that match', async () => {
    const all = await deliveries('');
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(8);
    expect(all.body.deliveries).toHaveLength(8);
    const first = await deliveries('?limit=3');
    const second = await deliveries('?limit=3&offset=3');
    const last = await deliveries('?limit=3&offset=6');
    expect([first.body.count, second.body.count, last.body.count]).toEqual([8, 8, 8]);
    expect(last.body.deliveries).toHaveLength(2);
    expect([...first.body.deliveries, ...second.body.deliveries, ...last.body.deliveries].map((row) => row.id)).toEqual(
      all.body.deliveries.map((row) => row.id),
    );
    expect((await deliveries('?offset=8')).body).toEqual({ deliveries: [], count: 8 });
  });

  it('filters by endpoint and status: delivered, dead, retrying (a pending one that failed), pending', async () => {
    const delivered = await deliveries(`?state=delivered&endpoint=${healthyEndpoint}`);
    expect(delivered.body.count).toBe(4);
    expect(delivered.body.deliveries.every((row) => row.status === 'delivered' && row.lastStatus === 200)).toBe(true);
    const dead = await deliveries('?state=dead');
    expect(dead.body.count).toBe(3);
    for (const row of dead.body.deliveries)
      expect(row).toMatchObject({ endpointId: failingEndpoint, status: 'dead', attempts: 2, lastStatus: 500 });
    const retrying = await deliveries('?state=retrying');
    expect(retrying.body.count).toBe(1);
    expect(retrying.body.deliveries[0]).toMatchObject({ endpointId: failingEndpoint, state: 'pending', attempts: 1 });
    expect(retrying.body.deliveries[0]?.status).toBe('retrying');
    expect(retrying.body.deliveries[0]?.nextAttemptAt).toEqual(expect.any(String));
    // Pending is every delivery not delivered yet, retrying ones among them.
    expect((await deliveries('?state=pending')).body.count).toBe(1);
    expect((await deliveries(`?endpoint=${failingEndpoint}`)).body.count).toBe(4);
    expect((await deliveries('?endpoint=we_nosuchendpoint')).body).toEqual({ deliveries: [], count: 0 });
  });

  it('reads one delivery by id; an unknown one is 404, a malformed id 400', async () => {
    const [retrying] = (await deliveries('?state=retrying')).body.deliveries;
    const one = await server.call<{ delivery: Delivery }>('GET', `/api/webhooks/deliveries/${retrying?.id}`, {
      token: reader,
    });
    expect(one.status).toBe(200);
    expect(one.body.delivery).toEqual(retrying);
    expect((await server.call('GET', '/api/webhooks/deliveries/whd_nosuchdelivery', { token: reader })).status).toBe(
      404,
    );
    const malformed = await server.call<ErrorBody>('GET', '/api/webhooks/deliveries/we_notadelivery', {
      token: reader,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain('whd_');
    expect((await server.call('GET', `/api/webhooks/deliveries/${retrying?.id}`)).status).toBe(401);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['?state=failed', 'state'],
      ['?endpoint=https://example.com', 'endpoint'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=ten', 'limit'],
      ['?offset=-1', 'offset'],
      ['?offset=1.5', 'offset'],
      ['?page=2', 'page'],
    ] as const) {
      const { status, body } = await server.call<ErrorBody>('GET', `/api/webhooks/deliveries${query}`, {
        token: reader,
      });
      expect(status, query).toBe(400);
      expect(body.error.code, query).toBe('bad_input');
      expect(`${body.error.field ?? ''} ${body.error.message}`, query).toContain(field);
    }
    const badId = await server.call<ErrorBody>('POST', '/api/webhooks/deliveries/not-a-delivery/redeliver', {
      token: manager,
    });
    expect(badId.status).toBe(400);
    expect(`${badId.body.error.field ?? ''} ${badId.body.error.message}`).toContain('id');
    const unknown = await server.call<ErrorBody>('POST', '/api/webhooks/deliveries/whd_nosuchdelivery/redeliver', {
      token: manager,
    });
    expect(unknown.status).toBe(404);
  });

  it('lets a billing manager redeliver a dead delivery (audited), not a clerk or a reader; it then delivers', async () => {
    const [dead] = (await deliveries('?state=dead')).body.deliveries;
    if (!dead) throw new Error('no dead delivery');
    for (const token of [clerk, reader]) {
      const refused = await server.call<ErrorBody>('POST', `/api/webhooks/deliveries/${dead.id}/redeliver`, { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('owner and billing managers');
    }
    expect((await server.call('POST', `/api/webhooks/deliveries/${dead.id}/redeliver`)).status).toBe(401);
    expect((await deliveries('?state=dead')).body.count).toBe(3); // refusals changed nothing

    failing.answer(200);
    const before = failing.received;
    const redelivered = await server.call<{ delivery: Delivery }>(
      'POST',
      `/api/webhooks/deliveries/${dead.id}/redeliver`,
      { token: manager },
    );
    expect(redelivered.status).toBe(200);
    expect(redelivered.body.delivery).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
    // Pending now: a second redelivery is refused until it is retried on its own.
    const again = await server.call<ErrorBody>('POST', `/api/webhooks/deliveries/${dead.id}/redeliver`, {
      token: manager,
    });
    expect(again.status).toBe(409);
    const audit = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    const entries = audit.filter((entry) => entry.event === 'webhook.redelivered');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).toContain(dead.id);

    await deliverDue(fixture.store.db, fixture.orgId, { policy: SHORT_RETRIES, timeoutMs: 2_000 });
    expect(failing.received).toBeGreaterThan(before);
    const after = (await deliveries(`?endpoint=${failingEndpoint}&state=delivered`)).body.deliveries;
    expect(after.map((row) => row.id)).toContain(dead.id);
    expect((await deliveries('?state=dead')).body.count).toBe(2);
  });
});
