/**
 * End to end: with `leash start` holding the embedded store, the CLI and `leash mcp` (stdio, through the real MCP
 * SDK client) work beside it through the server's local channel, land in the audit log with their channel, and
 * print exactly what they print once the server has stopped. A server killed without cleaning up leaves a stale
 * pid and socket that the next command and the next server take over.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, json, REPO_ROOT, runLeash, startLeashServer } from '../support/cli.ts';

const TIMEOUT = 240_000;

let root: string;
let dataDir: string;

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG']) delete env[name];
  return env;
}

function leash(args: string[]): Promise<CliResult> {
  return runLeash(args, { env: childEnv() });
}

/** The commands of the acceptance, each as a person would type it, with what they print. */
async function runEverything() {
  const customers = await leash(['customers', 'acme', '--json']);
  const table = await leash(['customers', 'acme']);
  const ask = await leash([
    'ask',
    'Show me all customers with overdue invoices',
    '--as',
    'sam@northwind.test',
    '--json',
  ]);
  const approvals = await leash(['approvals', 'list', '--json']);
  const verify = await leash(['audit', 'verify', '--json']);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(REPO_ROOT, 'bin/leash.js'), 'mcp', '--as', 'carl@northwind.test'],
    env: childEnv() as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'local-channel-test', version: '1.0.0' });
  await client.connect(transport);
  let mcp: { tools: string[]; found: unknown };
  try {
    const { tools } = await client.listTools();
    const found = await client.callTool({ name: 'search_customers', arguments: { query: 'acme' } });
    mcp = { tools: tools.map((tool) => tool.name).sort(), found: found.structuredContent ?? found.content };
  } finally {
    await client.close();
  }
  return { customers, table, ask, approvals, verify, mcp };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-channel-e2e-'));
  dataDir = join(root, '.leash');
  const demo = await leash([
    'demo',
    '--customers',
    '30',
    '--months',
    '4',
    '--seed',
    '7',
    '--end',
    '2026-11-22',
    '--json',
  ]);
  if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`);
}, TIMEOUT);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the CLI and leash mcp beside a running server (embedded store)', () => {
  it(
    'work through the server, are audited with their channel, and print the same once it has stopped',
    async () => {
      const server = await startLeashServer(childEnv());
      let through: Awaited<ReturnType<typeof runEverything>>;
      try {
        expect(statSync(join(dataDir, 'channel')).mode & 0o777).toBe(0o700);
        expect(statSync(join(dataDir, 'channel/leash.sock')).mode & 0o777).toBe(0o600);
        through = await runEverything();
      } finally {
        await server.stop();
      }
      expect(existsSync(join(dataDir, 'channel/leash.sock'))).toBe(false);
      for (const result of [through.customers, through.table, through.ask, through.approvals, through.verify]) {
        expect(result.stderr.replace(/verifying audit chain.*\n?/g, '')).toBe('');
        expect(result.code).toBe(0);
      }
      expect(json<{ name: string }[]>(through.customers)[0]?.name).toBe('Acme Corp');
      expect(json<{ ok: boolean }>(through.verify).ok).toBe(true);

      // The audit log names each surface: cli for the commands, mcp for the stdio server's tool call.
      const audit = json<{ channel: string; operation: string | null; actorEmail: string }[]>(
        await leash(['audit', 'tail', '--limit', '200', '--json']),
      );
      expect(audit.some((row) => row.channel === 'cli' && row.operation === 'search_customers')).toBe(true);
      expect(audit.some((row) => row.channel === 'agent' && row.actorEmail === 'sam@northwind.test')).toBe(true);
      expect(
        audit.some(
          (row) =>
            row.channel === 'mcp' && row.operation === 'search_customers' && row.actorEmail === 'carl@northwind.test',
        ),
      ).toBe(true);

      // The same commands with no server: the CLI opens the store itself and prints the same.
      const alone = await runEverything();
      expect(alone.customers.stdout).toBe(through.customers.stdout);
      expect(alone.table.stdout).toBe(through.table.stdout);
      expect(alone.approvals.stdout).toBe(through.approvals.stdout);
      const withoutId = (result: CliResult) => ({ ...json<Record<string, unknown>>(result), conversation_id: null });
      expect(withoutId(alone.ask)).toEqual(withoutId(through.ask));
      expect(json<{ ok: boolean }>(alone.verify).ok).toBe(true);
      expect(alone.mcp).toEqual(through.mcp);
    },
    TIMEOUT * 2,
  );

  it(
    'take over the pid and socket of a server that was killed, and so does the next server',
    async () => {
      const killed = await startLeashServer(childEnv());
      await killed.stop('SIGKILL');
      expect(existsSync(join(dataDir, 'leash.pid'))).toBe(true);
      expect(existsSync(join(dataDir, 'channel/leash.sock'))).toBe(true);

      const alone = await leash(['customers', 'acme', '--json']);
      expect(alone.code).toBe(0);
      expect(json<{ name: string }[]>(alone)[0]?.name).toBe('Acme Corp');

      const next = await startLeashServer(childEnv());
      try {
        const through = await leash(['customers', 'acme', '--json']);
        expect(through.code).toBe(0);
        expect(through.stdout).toBe(alone.stdout);
      } finally {
        await next.stop();
      }
    },
    TIMEOUT,
  );
});
