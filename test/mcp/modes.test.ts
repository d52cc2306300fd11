/**
 * Modes over MCP (issue 20), with the real MCP SDK client: under insight-only a clerk's refund tool call is
 * blocked, and the result names the mode, the preset and the command that turns it on.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeashMcpServer } from '../../src/mcp/mcp-server.ts';
import { confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`modes over MCP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let client: Client;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    const owner = await fixture.context(OWNER);
    const proposal = await proposeOperation(owner, 'set_policy_modes', {
      preset: 'insight-only',
      reason: 'rollout week 1',
      case_id: 'ROLL-1',
    });
    expect((await confirmProposal(owner, proposal.id)).status).toBe('succeeded');
    const server = createLeashMcpServer(async () => ({ ...(await fixture.context(CLERK)), channel: 'mcp' }), 'test');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'leash-modes', version: '1.0.0' });
    await client.connect(clientSide);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.close();
  });

  it('a refund under insight-only is blocked naming Act mode', async () => {
    const { charge } = await fixture.paidCharge(20_000, 'usd', 'Umbrella');
    const result = await client.callTool({
      name: 'refund_charge',
      arguments: { charge_id: charge.id, amount: 500, reason: 'duplicate', case_id: 'T-7' },
    });
    const text = (result.content as { type: string; text: string }[]).map((block) => block.text).join('\n');
    expect(text).toContain('Act mode is off for billing clerks in this org (preset insight-only)');
    expect(text).toContain('leash policy mode set support-act');
    expect(text).toContain('mode.off');
  });

  it('a read still works (Insight is always on)', async () => {
    const result = await client.callTool({ name: 'search_customers', arguments: { query: 'Umbrella' } });
    expect(result.isError ?? false).toBe(false);
  });
});
