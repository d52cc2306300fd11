/**
 * The MCP server with the real MCP SDK client (in-memory transport pair): tools generated from the registry
 * with honest annotations and described parameters, each member offered their role's tools, reads that run,
 * writes that come back as proposals (summary, compact JSON, structured content the client validates against the
 * output schema), the same gate as the CLI, approval tools that hold the two-person rule, and identity that tool
 * arguments cannot change.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLERK,
  FINANCE,
  type LeashFixture,
  MANAGER,
  OWNER,
  openLeashFixture,
  READER,
} from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import { isRead } from '../operations/define-operation.ts';
import { registry } from '../operations/registry.ts';
import { createLeashMcpServer, type LeashMcpOptions } from './mcp-server.ts';

async function connect(fixture: LeashFixture, email: string, options: LeashMcpOptions = {}): Promise<Client> {
  const server = createLeashMcpServer(
    async () => ({ ...(await fixture.context(email)), channel: 'mcp' }),
    'test',
    options,
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'leash-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

type Text = { type: string; text: string };

/** The result's JSON: the text block after the summary. */
function body(result: Awaited<ReturnType<Client['callTool']>>): Record<string, unknown> {
  const json = (result.content as Text[])[1];
  return JSON.parse(json?.text ?? '{}') as Record<string, unknown>;
}

function summary(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Text[])[0]?.text ?? '';
}

describe(`MCP server (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let chargeId = '';
  beforeAll(async () => {
    fixture = await openLeashFixture();
    chargeId = (await fixture.paidCharge(8_000, 'usd', 'Acme Corp')).charge.id;
  });
  afterAll(async () => fixture.close());

  it('the owner gets every operation as a tool, with JSON schemas, honest annotations and output schemas', async () => {
    const client = await connect(fixture, OWNER);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    for (const operation of registry.values()) expect(names).toContain(operation.name);
    expect(names).toContain('confirm_proposal');
    expect(names).toEqual(expect.arrayContaining(['list_approval_requests', 'approve_request', 'reject_request']));
    const tool = (name: string) => tools.find((candidate) => candidate.name === name);
    expect(tool('get_invoice')?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(tool('refund_charge')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tool('cancel_subscription')?.annotations?.destructiveHint).toBe(true);
    expect(tool('create_ticket')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(tool('refund_charge')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { charge_id: { type: 'string' }, amount: { type: 'integer' } },
      additionalProperties: false,
    });
    expect(tool('refund_charge')?.outputSchema).toMatchObject({ required: expect.arrayContaining(['id', 'status']) });
    expect(tool('approve_request')?.outputSchema).toBeDefined();
    expect(tool('get_invoice')?.outputSchema).toBeUndefined();
    // Fields only the ticket workflow sets (classifier scores, facts found…) are not offered to callers.
    expect(Object.keys(tool('create_ticket')?.inputSchema.properties ?? {}).sort()).toEqual(
      ['case_id', 'class', 'customer', 'message', 'reason'].sort(),
    );
    expect(JSON.stringify(tools)).not.toContain('$schema');
    expect(client.getInstructions()).toMatch(/confirm_proposal/);
    expect(client.getInstructions()).toMatch(/second person/);
    await client.close();
  });

  it('every parameter of every tool has a description', async () => {
    const client = await connect(fixture, OWNER);
    const missing = (await client.listTools()).tools.flatMap((tool) =>
      Object.entries((tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>)
        .filter(([, property]) => !property.description)
        .map(([name]) => `${tool.name}.${name}`),
    );
    expect(missing).toEqual([]);
    await client.close();
  });

  it.each([
    [READER, false, false],
    [CLERK, true, false],
    // A billing manager approves webhook endpoints under short-leash (approve.webhook).
    [MANAGER, true, true],
    [FINANCE, true, true],
  ] as const)('%s is offered the tools of their role (writes: %s, approvals: %s)', async (email, writes, approvals) => {
    const client = await connect(fixture, email);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    const reads = [...registry.values()].filter(isRead).map((operation) => operation.name);
    expect(names).toEqual(expect.arrayContaining(reads));
    expect(names.includes('refund_charge')).toBe(writes);
    expect(names.includes('confirm_proposal')).toBe(writes);
    for (const name of ['list_approval_requests', 'approve_request', 'reject_request'])
      expect(names.includes(name)).toBe(approvals);
    if (email === CLERK) expect(names).not.toContain('cancel_subscription');
    if (email === READER) expect(names).toHaveLength(reads.length);
    await client.close();
  });

  it('tools narrows the list and the calls; unknown names are bad input naming the valid ones', async () => {
    const client = await connect(fixture, CLERK, { tools: ['search_customers', 'refund_charge', 'create_plan'] });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search_customers', 'refund_charge']);
    await expect(client.callTool({ name: 'get_invoice', arguments: {} })).rejects.toThrow(/Unknown tool/);
    await client.close();
    expect(() =>
      createLeashMcpServer(async () => fixture.context(CLERK), 'test', { tools: ['refund', 'get_invoice'] }),
    ).toThrow(/unknown tool refund; the tools are: .*refund_charge/);
  });

  it("a call from the ticket workflow's fields is refused as bad input", async () => {
    const client = await connect(fixture, CLERK);
    const result = await client.callTool({
      name: 'create_ticket',
      arguments: { customer: 'Acme Corp', message: 'double charge', class: 'refund', scores: { refund: 1 } },
    });
    expect(result.isError).toBe(true);
    expect(body(result)).toMatchObject({ error: { code: 'bad_input' } });
    await client.close();
  });

  it('a read runs and is audited on the mcp channel; a write comes back as a proposal waiting for finance', async () => {
    const client = await connect(fixture, CLERK);
    await client.listTools();
    const searched = await client.callTool({ name: 'search_customers', arguments: { query: 'Acme' } });
    expect(summary(searched)).toMatch(/customer/);
    expect(JSON.stringify(body(searched))).toContain('Acme Corp');
    // Compact JSON, the same value as the structured content.
    const json = (searched.content as Text[])[1]?.text ?? '';
    expect(json).not.toContain('\n');
    expect(JSON.parse(json)).toEqual(searched.structuredContent);
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
    // Listed first, so the client validates every structured result against the tool's output schema.
    await finance.listTools();
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
