/**
 * `leash mcp` as clients run it (node bin/leash.js, built dist): it exits 0 when its client goes away — stdin
 * closed before `initialize`, or after a session with the real SDK client — releases the embedded store (the next
 * command opens it), offers each member only their role's tools, and refuses an unknown `--tools` name as bad input.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { openStore } from '../../src/store/db.ts';
import { REPO_ROOT, runLeash } from '../support/cli.ts';

const TIMEOUT = 120_000;
const READER = 'rita@northwind.test';
const CLERK = 'carl@northwind.test';

function childEnv(dataDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG', 'LEASH_API_KEY'])
    delete env[name];
  return { ...env, LEASH_DATA_DIR: dataDir };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}

describe('leash mcp on stdio', () => {
  let root = '';
  let dataDir = '';
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leash-mcp-'));
    dataDir = join(root, 'data');
    // The embedded store in a data directory, as `leash mcp` opens it (whatever the suite's own store is).
    const store = await openStore({ dataDir });
    await createDemoOrg(store.db);
    await store.close();
  }, TIMEOUT);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'exits 0, quietly, when stdin closes before initialize',
    async () => {
      const child = spawn(process.execPath, ['bin/leash.js', 'mcp', '--as', READER], {
        cwd: REPO_ROOT,
        env: childEnv(dataDir),
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.stdin.end();
      expect(await exited(child)).toEqual({ code: 0, signal: null });
      expect(stderr).toBe('');
    },
    TIMEOUT,
  );

  it(
    'a session with the real client: the role’s tools only; closing the client ends the process and frees the store',
    async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ['bin/leash.js', 'mcp', '--as', READER],
        cwd: REPO_ROOT,
        env: childEnv(dataDir),
        stderr: 'pipe',
      });
      const client = new Client({ name: 'stdio-test', version: '1.0.0' });
      await client.connect(transport);
      expect(client.getInstructions()).toMatch(/proposal/);
      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      expect(names).toContain('get_invoice');
      expect(names).not.toContain('refund_charge');
      expect(names).not.toContain('confirm_proposal');
      expect(names).not.toContain('approve_request');
      const pid = transport.pid;
      expect(pid).toBeTypeOf('number');
      // Close stdin only (what a client that exits does to the pipe), then wait for the process to go.
      const ended = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          try {
            process.kill(pid as number, 0);
          } catch {
            clearInterval(poll);
            resolve();
          }
        }, 100);
      });
      await client.close();
      await ended;
      // The embedded store was released: another command opens it at once.
      const keys = await runLeash(['keys', 'list', '--as', READER, '--json'], { env: childEnv(dataDir) });
      expect(keys.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'exits 0 when stdin closes in the middle of a session (no orphan left behind)',
    async () => {
      const child = spawn(process.execPath, ['bin/leash.js', 'mcp', '--as', CLERK], {
        cwd: REPO_ROOT,
        env: childEnv(dataDir),
      });
      const message = (id: number, method: string, params: unknown) =>
        `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;
      let stdout = '';
      const listed = new Promise<void>((resolve) =>
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('"id":2')) resolve();
        }),
      );
      child.stdin.write(
        message(1, 'initialize', {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        }),
      );
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      child.stdin.write(message(2, 'tools/list', {}));
      await listed;
      expect(stdout).toContain('refund_charge');
      expect(stdout).not.toContain('cancel_subscription');
      child.stdin.end();
      expect(await exited(child)).toEqual({ code: 0, signal: null });
    },
    TIMEOUT,
  );

  it(
    'answers what the client sent before stdin ended (initialize and tools/list piped in one go)',
    async () => {
      const child = spawn(process.execPath, ['bin/leash.js', 'mcp', '--as', CLERK], {
        cwd: REPO_ROOT,
        env: childEnv(dataDir),
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stdin.end(
        [
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } },
          },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        ]
          .map((message) => `${JSON.stringify(message)}\n`)
          .join(''),
      );
      expect(await exited(child)).toEqual({ code: 0, signal: null });
      expect(stdout).toContain('"id":2');
      expect(stdout).toContain('"name":"refund_charge"');
    },
    TIMEOUT,
  );

  it(
    '--tools narrows the list; an unknown name is bad input (exit 2) naming the valid tools',
    async () => {
      const bad = await runLeash(['mcp', '--as', CLERK, '--tools', 'get_invoice,drop_database'], {
        env: childEnv(dataDir),
      });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/unknown tool drop_database; the tools are: .*get_invoice/);
      const client = new Client({ name: 'stdio-test', version: '1.0.0' });
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          // `leash --mcp`, the alias MCP clients are often given, is `leash mcp`.
          args: ['bin/leash.js', '--mcp', '--as', CLERK, '--tools', 'get_invoice, refund_charge,cancel_subscription'],
          cwd: REPO_ROOT,
          env: childEnv(dataDir),
          stderr: 'ignore',
        }),
      );
      // cancel_subscription is named but a clerk's role cannot use it: not offered.
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['get_invoice', 'refund_charge']);
      await expect(client.callTool({ name: 'search_customers', arguments: { query: 'a' } })).rejects.toThrow(
        /Unknown tool/,
      );
      await client.close();
    },
    TIMEOUT,
  );
});
