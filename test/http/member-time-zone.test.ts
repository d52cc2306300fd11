/**
 * A member's own time zone over HTTP (issue 18): GET /api/me shows it (none set: UTC), PATCH /api/me sets it for
 * the caller only, one `member.time_zone_changed` audit row with the zone before and after; a zone Intl does not
 * know, an offset, a number or an unknown setting is a 400 naming the field with nothing written or audited; null
 * clears it. The OpenAPI document describes the route. Another org's member is untouched (org-scoped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { FINANCE, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

interface MeBody {
  member: { email: string; time_zone: string | null };
  time_zone: string;
}
interface ErrorBody {
  error: { code: string; field?: string; message: string };
}

describe(`a member's time zone over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let owner = '';
  let finance = '';

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    owner = (await server.signIn(OWNER)).token;
    finance = (await server.signIn(FINANCE)).token;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  const zoneEvents = () => listAuditEvents(fixture.store.db, fixture.orgId, { event: 'member.time_zone_changed' });

  it('reads UTC when none is set, sets the caller’s own zone, reads it back, and audits one row', async () => {
    const first = await server.call<MeBody>('GET', '/api/me', { token: finance });
    expect(first.status).toBe(200);
    expect(first.body.member.time_zone).toBeNull();
    expect(first.body.time_zone).toBe('UTC');

    const set = await server.call<MeBody>('PATCH', '/api/me', { token: finance, body: { time_zone: 'Asia/Kolkata' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      member: { email: FINANCE, time_zone: 'Asia/Kolkata' },
      time_zone: 'Asia/Kolkata',
    });
    const again = await server.call<MeBody>('GET', '/api/me', { token: finance });
    expect(again.body.time_zone).toBe('Asia/Kolkata');
    // Only the caller's own zone changed.
    expect((await server.call<MeBody>('GET', '/api/me', { token: owner })).body.member.time_zone).toBeNull();

    const events = await zoneEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: 'member.time_zone_changed',
      actorEmail: FINANCE,
      channel: 'http',
      arguments: { timeZone: 'Asia/Kolkata' },
      result: { from: null, to: 'Asia/Kolkata' },
    });

    // Spelled as Intl spells it; null clears it back to UTC.
    const lower = await server.call<MeBody>('PATCH', '/api/me', {
      token: finance,
      body: { time_zone: 'america/los_angeles' },
    });
    expect(lower.body.time_zone).toBe('America/Los_Angeles');
    const cleared = await server.call<MeBody>('PATCH', '/api/me', { token: finance, body: { time_zone: null } });
    expect(cleared.body).toMatchObject({ member: { time_zone: null }, time_zone: 'UTC' });
    expect((await zoneEvents()).map((event) => event.result)).toEqual([
      { from: null, to: 'Asia/Kolkata' },
      { from: 'Asia/Kolkata', to: 'America/Los_Angeles' },
      { from: 'America/Los_Angeles', to: null },
    ]);
  });

  it.each([
    ['an unknown zone', { time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
    ['an offset', { time_zone: '+05:30' }, 'time_zone'],
    ['an empty zone', { time_zone: ' ' }, 'time_zone'],
    ['a number', { time_zone: 530 }, 'time_zone'],
    ['no zone at all', {}, 'time_zone'],
    ['another setting', { time_zone: 'UTC', role: 'owner' }, 'role'],
  ])('%s is a 400 naming the field; nothing is written or audited', async (_name, body, field) => {
    const before = (await zoneEvents()).length;
    const answer = await server.call<ErrorBody>('PATCH', '/api/me', { token: owner, body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'bad_input', field });
    expect(answer.body.error.message).not.toMatch(/RangeError|stack|at /);
    expect((await zoneEvents()).length).toBe(before);
    expect((await server.call<MeBody>('GET', '/api/me', { token: owner })).body.member.time_zone).toBeNull();
  });

  it('needs a signed-in member', async () => {
    const answer = await server.call('PATCH', '/api/me', { body: { time_zone: 'UTC' } });
    expect(answer.status).toBe(401);
  });

  it('is in the OpenAPI document with its body', async () => {
    const spec = await server.call<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
      'GET',
      '/openapi.json',
    );
    expect(spec.status).toBe(200);
    const patch = spec.body.paths['/api/me']?.patch;
    expect(patch).toBeDefined();
    expect(JSON.stringify(patch?.requestBody)).toContain('time_zone');
    expect(JSON.stringify(spec.body.paths['/api/me']?.get)).toContain('time_zone');
  });
});
