/**
 * A member's agent access stops after too many blocked attempts (here 3 in 15 minutes, by
 * LEASH_AGENT_STOP_AFTER): over /mcp with the real MCP SDK client, a read-only member's agent keeps proposing refunds the
 * policy blocks; after the third, every further MCP and conversation request of theirs is refused with a message
 * naming why and who can re-enable it, `channel.stopped` is audited once, and the pause holds on another server
 * over the same store. Their own REST API stays open; another member's agent is untouched. Only an owner resumes
 * it (`channel.resumed`), and the attempts before the resume do not count again.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pausedAgentMembers, resumeAgentAccess } from '../../src/auth/agent-access.ts';
import { isLeashError } from '../../src/domain/errors.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK_2, type LeashFixture, MANAGER, OWNER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const PAUSED = /your agent access is paused after 3 blocked attempts in 15 minutes; an owner can re-enable it/;

describe(`agent access stops after blocked attempts (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let chargeId: string;
  let invoiceId: string;
  const saved = { after: process.env.LEASH_AGENT_STOP_AFTER, window: process.env.LEASH_AGENT_STOP_WINDOW_MINUTES };

  beforeAll(async () => {
    process.env.LEASH_AGENT_STOP_AFTER = '3';
    process.env.LEASH_AGENT_STOP_WINDOW_MINUTES = '15';
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    const { charge } = await fixture.paidCharge(90_000, 'usd', 'Initech');
    chargeId = charge.id;
    invoiceId = charge.invoiceId ?? '';
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
    for (const [name, value] of [
      ['LEASH_AGENT_STOP_AFTER', saved.after],
      ['LEASH_AGENT_STOP_WINDOW_MINUTES', saved.window],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  async function connect(key: string, url = server.url): Promise<Client> {
    const client = new Client({ name: 'agent-stop-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    return client;
  }

  /** A refund by a read-only member: the policy blocks it. */
  async function blockedRefund(client: Client) {
    const result = await client.callTool({
      name: 'refund_charge',
      arguments: { charge_id: chargeId, amount: 80_000, reason: 'refund everything', case_id: 'T-9' },
    });
    expect(result.structuredContent).toMatchObject({ status: 'blocked', decision: { outcome: 'block' } });
  }

  const auditRows = (event: string) =>
    fixture.store.db.selectFrom('auditEvents').selectAll().where('event', '=', event).execute();

  it('stops the agent after 3 blocked attempts, on MCP and in conversations, and only there', async () => {
    const readerKey = await server.apiKey(READER);
    const agent = await connect(readerKey);
    await blockedRefund(agent);
    await blockedRefund(agent);
    await blockedRefund(agent);
    // The next request finds the third block and stops the channel.
    await expect(agent.listTools()).rejects.toThrow(PAUSED);
    await agent.close().catch(() => {});
    await expect(connect(readerKey)).rejects.toThrow(PAUSED);

    const stopped = await auditRows('channel.stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ actorEmail: READER, channel: 'mcp' });
    expect(stopped[0]?.result).toMatchObject({ blockedAttempts: 3, threshold: 3, windowSeconds: 900 });

    // The built-in agent is an agent channel too; the member's own API is not.
    const token = (await server.signIn(READER)).token;
    const turn = await server.call('POST', '/api/conversations', { token, body: { message: 'show overdue invoices' } });
    expect(turn.status).toBe(403);
    expect(JSON.stringify(turn.body)).toMatch(PAUSED);
    const own = await server.call('POST', '/api/operations/get_invoice', { token, body: { invoice_id: invoiceId } });
    expect(own.status).toBe(200);
    const other = await connect(await server.apiKey(CLERK_2));
    expect((await other.listTools()).tools.length).toBeGreaterThan(0);
    await other.close();

    // Held in the store: another server over the same database refuses too.
    const second = await startTestServer(fixture);
    try {
      await expect(connect(readerKey, second.url)).rejects.toThrow(PAUSED);
    } finally {
      await second.close();
    }
    expect(await auditRows('channel.stopped')).toHaveLength(1);
    const reader = await fixture.member(READER);
    expect([...(await pausedAgentMembers(fixture.store.db, fixture.orgId))]).toEqual([reader.id]);
  });

  it('only an owner resumes it; earlier attempts do not count again', async () => {
    const manager = await fixture.member(MANAGER);
    const refused = await resumeAgentAccess(fixture.store.db, manager, READER).catch((error: unknown) => error);
    expect(isLeashError(refused, 'forbidden')).toBe(true);

    const resumed = await resumeAgentAccess(fixture.store.db, await fixture.member(OWNER), READER);
    expect(resumed).toMatchObject({ email: READER, blockedAttempts: 3 });
    const rows = await auditRows('channel.resumed');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorEmail: OWNER, arguments: { email: READER } });
    expect((await pausedAgentMembers(fixture.store.db, fixture.orgId)).size).toBe(0);

    const agent = await connect(await server.apiKey(READER));
    await blockedRefund(agent);
    expect((await agent.listTools()).tools.length).toBeGreaterThan(0);
    await agent.close();
    const again = await resumeAgentAccess(fixture.store.db, await fixture.member(OWNER), READER).catch(
      (error: unknown) => error,
    );
    expect(isLeashError(again, 'invalid_state')).toBe(true);
  });
});
