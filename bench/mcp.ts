/**
 * The MCP tool list each member's assistant loads before it can do anything: `tools/list` as the real SDK client
 * receives it (in-memory transport), per demo member, in bytes of its JSON result and tokens (≈ bytes / 4, the
 * usual rule of thumb for English and JSON). The baseline is the whole list, every tool at once.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createDemoOrg, DEMO_MEMBERS } from '../src/auth/demo-members.ts';
import { createLeashMcpServer } from '../src/mcp/mcp-server.ts';
import { loadGate } from '../src/policy/decide.ts';
import { openStore } from '../src/store/db.ts';
import { memberContext } from '../src/surfaces/operation-context.ts';

/** One member's tool list. */
export interface ToolListFigure {
  email: string;
  role: string;
  groups: string[];
  tools: number;
  bytes: number;
  tokens: number;
}

/** Lists the tools as every demo member (a fresh in-memory store with the demo org). */
export async function measureMcpToolLists(): Promise<ToolListFigure[]> {
  const store = await openStore({ dataDir: 'memory://' });
  try {
    const { org, members } = await createDemoOrg(store.db);
    const gate = await loadGate();
    const figures: ToolListFigure[] = [];
    for (const spec of DEMO_MEMBERS) {
      const member = members.find((candidate) => candidate.email === spec.email);
      if (!member) throw new Error(`the demo org has no ${spec.email}`);
      const server = createLeashMcpServer(
        async () => memberContext({ store, org, member, gate, channel: 'mcp' }),
        'bench',
      );
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client({ name: 'leash-bench', version: '1.0.0' });
      await client.connect(clientSide);
      const listed = await client.listTools();
      const bytes = Buffer.byteLength(JSON.stringify(listed));
      figures.push({
        email: spec.email,
        role: spec.role,
        groups: [...spec.groups],
        tools: listed.tools.length,
        bytes,
        tokens: Math.round(bytes / 4),
      });
      await client.close();
      await server.close();
    }
    return figures;
  } finally {
    await store.close();
  }
}
