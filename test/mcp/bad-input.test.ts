/**
 * Bad input over MCP (the server `leash mcp` serves on stdio, here over the SDK's in-memory transport): tool names
 * that are Object.prototype's are unknown tools (-32602) and reach nothing; NUL, lone surrogates and deep nesting in
 * tool arguments are a tool error naming the field, audited as `input.refused`; an approval handle holding `-` and
 * `_` approves; a failing store answers `internal` with the request id only, its detail going to the log.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { callLeashTool, createLeashMcpServer } from '../../src/mcp/mcp-server.ts';
import { INTERNAL_MESSAGE } from '../../src/mcp/tool-results.ts';
import { nestedValue } from '../support/fuzz.ts';
import { CLERK, FINANCE, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type Result = Awaited<ReturnType<Client['callTool']>>;

/** The result's JSON: the text block after the one-line summary. */
function body(result: Result): Record<string, unknown> {
  const json = (result.content as { type: string; text: string }[])[1];
  return JSON.parse(json?.text ?? '{}') as Record<string, unknown>;
}

describe(`bad input over MCP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  const clients: Client[] = [];

  async function connect(email: string): Promise<Client> {
    const server = createLeashMcpServer(async () => ({ ...(await fixture.context(email)), channel: 'mcp' }), 'test');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'leash-bad-input', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await fixture?.close();
  });

  const events = async () => listAuditEvents(fixture.store.db, fixture.orgId, { limit: 10_000 });
  const lastRefusal = async () =>
    (await listAuditEvents(fixture.store.db, fixture.orgId, { event: 'input.refused', newestFirst: true }))[0];

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'the tool name %s is an unknown tool (-32602) and reaches nothing',
    async (name) => {
      const owner = await connect(OWNER);
      const before = (await events()).length;
      const error = await owner
        .callTool({ name, arguments: { approval_id: 'apr_x', reason: 'reject it all' } })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
      expect((error as McpError).message).toContain(`Unknown tool: ${name}`);
      expect((await events()).length).toBe(before);
    },
  );

  it.each([
    ['NUL', { query: 'acme\u0000corp' }, 'query', 'nul'],
    ['a lone surrogate', { query: 'acme\ud800' }, 'query', 'lone_surrogate'],
    ['a NUL in a key', { 'query\u0000': 'acme' }, 'query\\u0000', 'nul'],
    ['50,000-deep nesting', { query: 'acme', filter: nestedValue(50_000) }, 'filter.nested', 'too_deep'],
  ])(
    '%s in tool arguments: a tool error naming the field, audited, nothing run',
    async (_name, args, field, problem) => {
      const clerk = await connect(CLERK);
      const before = (await events()).length;
      const result = await clerk.callTool({ name: 'search_customers', arguments: args });
      expect(result.isError).toBe(true);
      const error = body(result).error as { code: string; message: string };
      expect(error.code).toBe('bad_input');
      expect(error.message.startsWith(field)).toBe(true);
      expect((await events()).length).toBe(before + 1);
      expect(await lastRefusal()).toMatchObject({
        actorEmail: CLERK,
        channel: 'mcp',
        operation: 'search_customers',
        arguments: { problem },
      });
    },
  );

  it('approves by a handle holding - and _ (base64url, as Leash makes them)', async () => {
    const clerk = await connect(CLERK);
    const { charge } = await fixture.paidCharge(50_000, 'usd', 'Handle Corp MCP');
    let handle = '';
    for (let attempt = 0; attempt < 200 && !(handle.includes('-') && handle.includes('_')); attempt += 1) {
      const proposed = await clerk.callTool({
        name: 'refund_charge',
        arguments: { charge_id: charge.id, amount: 1_300 + attempt, reason: 'charged twice', case_id: 'T-10' },
      });
      handle = (body(proposed) as { approval?: { handle?: string } }).approval?.handle ?? '';
    }
    expect(handle).toContain('-');
    expect(handle).toContain('_');
    const finance = await connect(FINANCE);
    const shown = await finance.callTool({ name: 'list_approval_requests', arguments: { id: handle } });
    expect(shown.isError).toBeFalsy();
    const approved = await finance.callTool({
      name: 'approve_request',
      arguments: { approval_id: handle, reason: 'duplicate confirmed on the statement', confirm_text: 'CONFIRM' },
    });
    expect(approved.isError).toBeFalsy();
    expect(approved.structuredContent).toMatchObject({ status: 'succeeded' });
  });

  it('a failing store answers internal with the request id only; the detail goes to the log', async () => {
    const broken = await openLeashFixture();
    const context = { ...(await broken.context(OWNER)), channel: 'mcp' as const };
    await broken.close();
    const logged: { error: unknown; requestId: string }[] = [];
    const result = await callLeashTool(context, 'search_customers', { query: 'acme' }, (error, requestId) =>
      logged.push({ error, requestId }),
    );
    expect(result.isError).toBe(true);
    expect(body(result)).toEqual({
      error: { code: 'internal', message: INTERNAL_MESSAGE, requestId: context.requestId },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.requestId).toBe(context.requestId);
  });
});
