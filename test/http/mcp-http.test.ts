/**
 * MCP over streamable HTTP with the real MCP SDK client: list tools, call a read, propose a refund as a clerk,
 * fail to approve it as the same member, approve it as a billing manager through the REST API, see one
 * execution and the audit chain verify. Each key's member is offered their role's tools (`?tools=` narrows).
 * Only Leash API keys open /mcp; foreign origins are refused.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

/** The result's JSON: the text block after the one-line summary. */
function body(result: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> {
  const json = (result.content as { type: string; text: string }[])[1];
  return JSON.parse(json?.text ?? '{}') as Record<string, unknown>;
}

describe(`MCP over streamable HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  async function connect(key: string, query = ''): Promise<Client> {
    const client = new Client({ name: 'leash-http-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp${query}`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    return client;
  }

  it('a clerk proposes a refund over MCP and cannot approve it; finance approves over HTTP; it runs once', async () => {
    const { charge } = await fixture.paidCharge(6_000, 'usd', 'Globex');
    const clerk = await connect(await server.apiKey(CLERK));
    const { tools } = await clerk.listTools();
    expect(tools.find((tool) => tool.name === 'refund_charge')?.annotations).toMatchObject({ destructiveHint: true });
    expect(tools.find((tool) => tool.name === 'get_invoice')?.annotations).toMatchObject({ readOnlyHint: true });

    const read = await clerk.callTool({ name: 'get_invoice', arguments: { invoice_id: charge.invoiceId } });
    expect(read.isError).toBeFalsy();
    expect(read.structuredContent).toMatchObject({ result: { invoice: { id: charge.invoiceId } } });

    const proposed = await clerk.callTool({
      name: 'refund_charge',
      arguments: { charge_id: charge.id, amount: 1_200, reason: 'charged twice', case_id: 'T-3' },
    });
    expect(proposed.structuredContent).toMatchObject({ status: 'awaiting_approval', decision: { outcome: 'warn' } });
    expect((proposed.content as { text: string }[])[0]?.text).toMatch(
      /^Proposal prop_\w+: .*Policy: WARN; needs approval/,
    );
    const proposal = body(proposed) as { id: string; approval: { id: string } };

    const own = await clerk.callTool({
      name: 'approve_request',
      arguments: { approval_id: proposal.approval.id, reason: 'approving my own', confirm_text: 'CONFIRM' },
    });
    expect(own.isError).toBe(true);
    expect(JSON.stringify(body(own))).toMatch(/your own request/);
    const confirm = await clerk.callTool({ name: 'confirm_proposal', arguments: { proposal_id: proposal.id } });
    expect(confirm.isError).toBe(true);
    await clerk.close();

    const finance = (await server.signIn(FINANCE)).token;
    const approved = await server.call('POST', `/api/approvals/${proposal.approval.id}/approve`, {
      token: finance,
      body: { reason: 'duplicate confirmed on the statement', confirm_text: 'CONFIRM' },
    });
    expect(approved.body).toMatchObject({ status: 'succeeded' });
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(1_200);
    const executions = (
      await listAuditEvents(fixture.store.db, fixture.orgId, { event: 'execution.succeeded', limit: 1000 })
    ).filter((event) => event.proposalId === proposal.id);
    expect(executions).toHaveLength(1);
    const channels = (await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 }))
      .filter((event) => event.proposalId === proposal.id)
      .map((event) => event.channel);
    expect(channels).toEqual(expect.arrayContaining(['mcp', 'http']));
    expect((await server.call('GET', '/api/audit/verify', { token: finance })).body).toMatchObject({ ok: true });
  });

  it('a read-only key is offered read tools only; ?tools= narrows, and an unknown name is a 400', async () => {
    const reader = await connect(await server.apiKey(READER));
    const names = (await reader.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('get_invoice');
    for (const name of ['refund_charge', 'confirm_proposal', 'approve_request']) expect(names).not.toContain(name);
    await reader.close();
    const key = await server.apiKey(CLERK);
    const narrowed = await connect(key, '?tools=get_invoice,refund_charge');
    expect((await narrowed.listTools()).tools.map((tool) => tool.name)).toEqual(['get_invoice', 'refund_charge']);
    await narrowed.close();
    const bad = await fetch(`${server.url}/mcp?tools=get_invoice,nope`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/unknown tool nope/);
  });

  it('refuses tokens that are not Leash API keys, foreign origins, and GET streams', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      });
    expect((await post({})).status).toBe(401);
    const jwt = (await server.signIn(CLERK)).token;
    const withJwt = await post({ authorization: `Bearer ${jwt}` });
    expect(withJwt.status).toBe(401);
    expect(withJwt.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await post({ authorization: 'Bearer lk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
    const key = await server.apiKey(CLERK);
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await post({ authorization: `Bearer ${key}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(405);
  });
});
