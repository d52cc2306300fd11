/**
 * The MCP server with the real MCP SDK client (in-memory transport pair): tools generated from the registry
 * with honest annotations, reads that run, writes that come back as proposals, the same gate as the CLI,
 * approval tools that hold the two-person rule, and identity that tool arguments cannot change.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import { registry } from '../operations/registry.ts';
import { createLeashMcpServer } from './mcp-server.ts';

async function connect(fixture: LeashFixture, email: string): Promise<Client> {
  const server = createLeashMcpServer(async () => ({ ...(await fixture.context(email)), channel: 'mcp' }), 'test');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'leash-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

function body(result: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> {
  const first = (result.content as { type: string; text: string }[])[0];
  return JSON.parse(first?.text ?? '{}') as Record<string, unknown>;
}

describe(`MCP server (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let chargeId = '';
  beforeAll(async () => {
    fixture = await openLeashFixture();
    chargeId = (await fixture.paidCharge(8_000, 'usd', 'Acme Corp')).charge.id;
  });
  afterAll(async () => fixture.close());

  it('lists every operation as a tool with its JSON schema and honest annotations', async () => {
    const client = await connect(fixture, CLERK);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    for (const operation of registry.values()) expect(names).toContain(operation.name);
    expect(names).toContain('confirm_proposal');
    expect(names).toEqual(expect.arrayContaining(['list_approval_requests', 'approve_request', 'reject_request']));
    const tool = (name: string) => tools.find((candidate) => candidate.name === name);
    expect(tool('get_invoice')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tool('refund_charge')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tool('cancel_subscription')?.annotations?.destructiveHint).toBe(true);
    expect(tool('create_ticket')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(tool('refund_charge')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { charge_id: { type: 'string' }, amount: { type: 'integer' } },
      additionalProperties: false,
    });
    await client.close();
  });

  it('a read runs and is audited on the mcp channel; a write comes back as a proposal waiting for finance', async () => {
    const client = await connect(fixture, CLERK);
    const read = body(await client.callTool({ name: 'search_customers', arguments: { query: 'Acme' } }));
    expect(JSON.stringify(read)).toContain('Acme Corp');
    const proposal = body(
      await client.callTool({
        name: 'refund_charge',
        arguments: { charge_id: chargeId, amount: 2_000, reason: 'charged twice', case_id: 'T-9' },
      }),
    );
    expect(proposal).toMatchObject({
      operation: 'refund_charge',
      status: 'awaiting_approval',
      decision: { outcome: 'warn' },
    });
    // The clerk cannot confirm it through MCP either.
    const refused = await client.callTool({ name: 'confirm_proposal', arguments: { proposal_id: proposal.id } });
    expect(refused.isError).toBe(true);
    expect((await fixture.connector.getCharge(chargeId))?.amountRefunded).toBe(0);
    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 100 });
    expect(events.some((event) => event.channel === 'mcp' && event.event === 'data.read')).toBe(true);
    await client.close();
  });

  it('approval tools: the requester is refused, finance approves and it executes once', async () => {
    const clerk = await connect(fixture, CLERK);
    const proposal = body(
      await clerk.callTool({
        name: 'refund_charge',
        arguments: { charge_id: chargeId, amount: 1_500, reason: 'charged twice', case_id: 'T-10' },
      }),
    ) as { approval: { id: string } };
    const own = await clerk.callTool({
      name: 'approve_request',
      arguments: { approval_id: proposal.approval.id, reason: 'looks right to me' },
    });
    expect(own.isError).toBe(true);
    expect(JSON.stringify(body(own))).toMatch(/your own request/);
    const finance = await connect(fixture, FINANCE);
    const listed = body(await finance.callTool({ name: 'list_approval_requests', arguments: {} })) as {
      requests: { id: string; requester: string; summary: string }[];
    };
    expect(listed.requests.find((request) => request.id === proposal.approval.id)).toMatchObject({ requester: CLERK });
    const approved = body(
      await finance.callTool({
        name: 'approve_request',
        arguments: { approval_id: proposal.approval.id, reason: 'duplicate confirmed', confirm_text: 'CONFIRM' },
      }),
    );
    expect(approved).toMatchObject({ status: 'succeeded' });
    const again = await finance.callTool({
      name: 'approve_request',
      arguments: { approval_id: proposal.approval.id, reason: 'duplicate confirmed' },
    });
    expect(again.isError).toBe(true);
    expect((await fixture.connector.getCharge(chargeId))?.amountRefunded).toBe(1_500);
    await clerk.close();
    await finance.close();
  });

  it('identity comes from the session: a role or member named in the arguments changes nothing', async () => {
    const client = await connect(fixture, READER);
    const result = await client.callTool({
      name: 'refund_charge',
      arguments: { charge_id: chargeId, amount: 100, reason: 'as the owner, approved', case_id: 'T-9' },
    });
    expect(body(result)).toMatchObject({ decision: { outcome: 'block' }, status: 'blocked' });
    const sneaky = await client.callTool({
      name: 'refund_charge',
      arguments: { charge_id: chargeId, amount: 100, reason: 'x', case_id: 'T-9', actor: 'olivia@northwind.test' },
    });
    expect(sneaky.isError).toBe(true);
    expect(JSON.stringify(body(sneaky))).toContain('bad_input');
    await client.close();
  });

  it('bad input is an error result naming the field, never a crash', async () => {
    const client = await connect(fixture, CLERK);
    const result = await client.callTool({ name: 'get_invoice', arguments: { number: 42 } });
    expect(result.isError).toBe(true);
    expect(body(result)).toMatchObject({ error: { code: 'bad_input' } });
    await expect(client.callTool({ name: 'drop_database', arguments: {} })).rejects.toThrow(/Unknown tool/);
    await client.close();
  });
});
