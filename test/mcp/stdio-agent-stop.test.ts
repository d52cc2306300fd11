/**
 * `leash mcp` on stdio (node bin/leash.js, built dist) refuses a member whose agent access is paused: their tool
 * calls answer with the pause and who can lift it, and nothing runs. The pause was recorded by another process
 * (this test) in the store, as it would be by a server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgentAccess } from '../../src/auth/agent-access.ts';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { findMemberByEmail } from '../../src/auth/members.ts';
import { proposeOperation } from '../../src/operations/run-operation.ts';
import { loadGate } from '../../src/policy/load-gate.ts';
import { openStore } from '../../src/store/db.ts';
import { memberContext } from '../../src/surfaces/operation-context.ts';
import { REPO_ROOT } from '../support/cli.ts';

const TIMEOUT = 120_000;
const READER = 'rita@northwind.test';

describe('leash mcp on stdio: paused agent access', () => {
  let root = '';
  let dataDir = '';
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leash-mcp-stop-'));
    dataDir = join(root, 'data');
    const store = await openStore({ dataDir });
    try {
      const { org } = await createDemoOrg(store.db);
      const reader = await findMemberByEmail(store.db, org.id, READER);
      if (!reader) throw new Error('no reader');
      // One blocked attempt over MCP (a read-only member proposing a refund), and a threshold of one: paused.
      const context = memberContext({ store, org, member: reader, gate: await loadGate(), channel: 'mcp' });
      const proposal = await proposeOperation(context, 'create_coupon', {
        code: 'NOPE10',
        name: 'Nope',
        percent_off: 10,
        duration: 'once',
        reason: 'probe',
        case_id: 'T-1',
      }).catch((error: unknown) => error);
      expect((proposal as { status?: string }).status ?? 'refused').toMatch(/blocked|refused/);
      const paused = await checkAgentAccess(store.db, reader, 'mcp', { threshold: 1, windowSeconds: 900 }).catch(
        (error: unknown) => error,
      );
      expect(String(paused)).toMatch(/paused/);
    } finally {
      await store.close();
    }
  }, TIMEOUT);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'answers every call with the pause; nothing runs',
    async () => {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
      for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_API_KEY'])
        delete env[name];
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ['bin/leash.js', 'mcp', '--as', READER],
        cwd: REPO_ROOT,
        env: { ...env, LEASH_DATA_DIR: dataDir },
        stderr: 'pipe',
      });
      const client = new Client({ name: 'stdio-stop-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        const call = client
          .callTool({ name: 'search_customers', arguments: { query: 'a' } })
          .then((result) => JSON.stringify(result))
          .catch((error: unknown) => String(error));
        expect(await call).toMatch(/your agent access is paused after 1 blocked attempts in 15 minutes/);
      } finally {
        await client.close();
      }
      const store = await openStore({ dataDir });
      try {
        const reads = await store.db.selectFrom('auditEvents').select('id').where('event', '=', 'data.read').execute();
        expect(reads).toHaveLength(0);
      } finally {
        await store.close();
      }
    },
    TIMEOUT,
  );
});
