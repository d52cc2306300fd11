/**
 * Limits on what one member can send: /mcp requests per credential per minute (429 with Retry-After, like REST
 * writes; other credentials unaffected), and approval requests per member (waiting at once, and per hour):
 * past the cap a proposal is refused as `rate_limited` naming the limit, no request is created, and the refusal
 * is in the audit log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isLeashError } from '../../src/domain/errors.ts';
import { proposeOperation, rejectRequest } from '../../src/operations/run-operation.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, CLERK_2, FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`limits per member (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chargeId: string;
  const saved = { open: process.env.LEASH_MAX_OPEN_APPROVALS, hour: process.env.LEASH_MAX_APPROVALS_PER_HOUR };

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, { rateLimits: { signIn: 10_000, writes: 10_000, mcp: 3 } });
    chargeId = (await fixture.paidCharge(50_000, 'usd', 'Umbrella')).charge.id;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });
  afterEach(() => {
    for (const [name, value] of [
      ['LEASH_MAX_OPEN_APPROVALS', saved.open],
      ['LEASH_MAX_APPROVALS_PER_HOUR', saved.hour],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  const listTools = (key: string, id: number) =>
    fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list', params: {} }),
    });

  it('/mcp: at most 3 requests a minute per credential here; the 4th is 429 with Retry-After', async () => {
    const key = await server.apiKey(CLERK);
    for (let id = 1; id <= 3; id += 1) expect((await listTools(key, id)).status).toBe(200);
    const limited = await listTools(key, 4);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      error: { code: 'rate_limited', message: expect.stringMatching(/too many requests: at most 3 per/) },
    });
    // Another member's key has its own budget.
    expect((await listTools(await server.apiKey(CLERK_2), 1)).status).toBe(200);
  });

  /** A refund a clerk may only propose (finance approves): one approval request each. */
  const propose = async (email: string) =>
    proposeOperation(await fixture.context(email, { channel: 'mcp' }), 'refund_charge', {
      charge_id: chargeId,
      amount: 100,
      reason: 'goodwill',
      case_id: 'CAP-1',
    });

  it('approval requests: at most LEASH_MAX_OPEN_APPROVALS waiting per member; refused past it, audited', async () => {
    process.env.LEASH_MAX_OPEN_APPROVALS = '3';
    const waiting = [];
    for (let index = 0; index < 3; index += 1) {
      const proposal = await propose(CLERK);
      expect(proposal.decision.outcome).toBe('warn');
      waiting.push(proposal);
    }
    const refused = await propose(CLERK).catch((error: unknown) => error);
    expect(isLeashError(refused, 'rate_limited')).toBe(true);
    expect((refused as Error).message).toMatch(/you have 3 approval requests waiting; at most 3 may wait/);
    const clerk = await fixture.member(CLERK);
    const requests = await fixture.store.db
      .selectFrom('approvalRequests')
      .select('id')
      .where('requesterId', '=', clerk.id)
      .execute();
    expect(requests).toHaveLength(3);
    const audited = await fixture.store.db
      .selectFrom('auditEvents')
      .select(['decision', 'channel'])
      .where('actorId', '=', clerk.id)
      .where('event', '=', 'decision.made')
      .execute();
    const refusal = audited.map((row) => JSON.stringify(row.decision)).find((text) => text.includes('rate_limited'));
    expect(refusal).toMatch(/"outcome":"block".*at most 3 may wait/);
    expect(audited.at(-1)?.channel).toBe('mcp');
    // Another member is not held by this member's requests; one decided request frees a place.
    expect((await propose(CLERK_2)).decision.outcome).toBe('warn');
    await rejectRequest(await fixture.context(FINANCE), waiting[0]?.approval?.id ?? '', { reason: 'no' });
    expect((await propose(CLERK)).decision.outcome).toBe('warn');
  });

  it('approval requests: at most LEASH_MAX_APPROVALS_PER_HOUR per member an hour, decided or not', async () => {
    process.env.LEASH_MAX_OPEN_APPROVALS = '100';
    process.env.LEASH_MAX_APPROVALS_PER_HOUR = '2';
    expect((await propose(MANAGER)).decision.outcome).toBe('warn');
    expect((await propose(MANAGER)).decision.outcome).toBe('warn');
    const refused = await propose(MANAGER).catch((error: unknown) => error);
    expect(isLeashError(refused, 'rate_limited')).toBe(true);
    expect((refused as Error).message).toMatch(/you asked for 2 approvals in the last hour; at most 2/);
  });
});
