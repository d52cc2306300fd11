/**
 * Fuzz over every MCP tool the owner is offered at /mcp (listed by the real MCP SDK client, not by hand): NUL and
 * lone surrogates in every parameter, wrong types, huge strings and numbers, prototype keys, deep nesting (as a raw
 * JSON-RPC body too), and tool names that are Object.prototype's (`constructor`, `__proto__`…). Never -32603, never
 * a 5xx, no internal detail in any answer, no effect on the store, Object.prototype untouched.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  effectsBetween,
  hostileValues,
  INTERNAL_MARKERS,
  type JsonSchema,
  type KnownIds,
  LONE_SURROGATE_TEXT,
  NUL_TEXT,
  nestedValue,
  snapshotStore,
} from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', ''];

describe(`MCP fuzz over every tool (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let key = '';
  let ids: KnownIds;
  let client: Client;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, { rateLimits: { signIn: 1e6, writes: 1e6, mcp: 1e6 } });
    key = await server.apiKey(OWNER);
    const { customer, charge } = await fixture.paidCharge(5_000, 'usd', 'Fuzz Target');
    ids = { customerId: customer.id, invoiceId: charge.invoiceId as string, chargeId: charge.id };
    client = new Client({ name: 'leash-fuzz', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await fixture?.close();
  });

  /** A JSON-RPC tools/call posted as raw text (what no SDK client would send). */
  async function rawCall(body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it('answers every hostile call with a tool error or a normal result: never -32603, a 5xx, a leak or an effect', async () => {
    const { tools } = await client.listTools();
    // Every tool the owner may use: reads, writes, confirm and the approval tools.
    for (const name of ['search_customers', 'refund_charge', 'confirm_proposal', 'approve_request', 'reject_request'])
      expect(tools.map((tool) => tool.name)).toContain(name);

    const calls: { name: string; args: Record<string, unknown> }[] = [];
    for (const tool of tools) {
      const schema = tool.inputSchema as JsonSchema;
      const base = baseInput(schema, ids);
      for (const [index, [name, property]] of Object.entries(schema.properties ?? {}).entries())
        for (const value of hostileValues(property, 3, index))
          calls.push({ name: tool.name, args: { ...base, [name]: value } });
      calls.push({ name: tool.name, args: { ...base, constructor: 'x', toString: 1 } });
      calls.push({ name: tool.name, args: { ...base, prototype: { polluted: true } } });
      calls.push({ name: tool.name, args: { ...base, [NUL_TEXT]: 1 } });
      calls.push({ name: tool.name, args: { ...base, [LONE_SURROGATE_TEXT]: 1 } });
      calls.push({ name: tool.name, args: { ...base, nested: nestedValue(60) } });
      // Own `__proto__` and `constructor.prototype` keys, as JSON.parse makes them.
      calls.push({ name: tool.name, args: JSON.parse(`{"__proto__":{"polluted":true},"a":1}`) });
      calls.push({ name: tool.name, args: JSON.parse(`{"constructor":{"prototype":{"polluted":true}}}`) });
    }
    for (const name of PROTOTYPE_NAMES) calls.push({ name, args: {} });
    calls.push({ name: `search_customers${NUL_TEXT}`, args: { query: 'acme' } });

    const before = await snapshotStore(fixture.store);
    const failures: string[] = [];
    let ran = 0;
    const check = (label: string, outcome: { result?: unknown; error?: unknown }) => {
      ran += 1;
      if (outcome.error !== undefined) {
        const error = outcome.error as { code?: unknown; message?: string };
        if (error instanceof McpError && error.code === ErrorCode.InternalError) failures.push(`-32603 ${label}`);
        // The SDK's HTTP error carries the status: a refused body is a 4xx, never a 5xx.
        if (typeof error.code === 'number' && error.code >= 500) failures.push(`${error.code} ${label}`);
        if (/HTTP 5\d\d/.test(error.message ?? '')) failures.push(`5xx ${label}: ${error.message}`);
        if (INTERNAL_MARKERS.test(error.message ?? '')) failures.push(`leak ${label}: ${error.message}`);
        return;
      }
      const text = JSON.stringify(outcome.result);
      if (INTERNAL_MARKERS.test(text)) failures.push(`leak ${label}: ${text.match(INTERNAL_MARKERS)?.[0]}`);
    };
    for (let start = 0; start < calls.length; start += 8)
      await Promise.all(
        calls.slice(start, start + 8).map(async (call) => {
          const outcome = await client.callTool({ name: call.name, arguments: call.args }).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          check(`${call.name} ${JSON.stringify(call.args).slice(0, 100)}`, outcome);
        }),
      );
    // Bodies no SDK client sends: 50,000-deep arguments, a NUL escape and a lone surrogate escape in the raw text.
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    for (const [label, body] of [
      [
        'deep',
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_customers","arguments":${deep}}}`,
      ],
      [
        'nul',
        '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_customers","arguments":{"query":"a\\u0000"}}}',
      ],
      [
        'lone',
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_customers","arguments":{"query":"\\ud800"}}}',
      ],
      ['proto', '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"__proto__","arguments":{}}}'],
      ['method', '{"jsonrpc":"2.0","id":5,"method":"tools/call\\u0000","params":{}}'],
      ['batch', `[${'{"jsonrpc":"2.0","method":"ping"},'.repeat(1_000)}{"jsonrpc":"2.0","id":6,"method":"ping"}]`],
    ] as const) {
      const answer = await rawCall(body);
      ran += 1;
      if (answer.status >= 500 || answer.text.includes('-32603'))
        failures.push(`raw ${label}: ${answer.status} ${answer.text}`);
      if (INTERNAL_MARKERS.test(answer.text)) failures.push(`leak raw ${label}: ${answer.text.slice(0, 200)}`);
    }
    const after = await snapshotStore(fixture.store);

    console.info(`MCP fuzz (${testStoreKind}): ${ran} inputs over ${tools.length} tools`);
    expect(failures).toEqual([]);
    expect(effectsBetween(before, after)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ran).toBe(calls.length + 6);
  }, 600_000);
});
