/**
 * `leash mcp` on stdio, fed raw JSON-RPC lines no SDK client would send: NUL and lone-surrogate escapes in tool
 * arguments, arguments nested 50,000 deep, and `constructor` as a tool name. Each is answered (a `bad_input` tool
 * error naming the field, or -32602 for the unknown tool), never -32603, and the process still exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { openStore } from '../../src/store/db.ts';
import { REPO_ROOT } from '../support/cli.ts';

const TIMEOUT = 120_000;
const OWNER = 'olivia@northwind.test';

interface Answer {
  id: number;
  result?: { isError?: boolean; content?: { text: string }[] };
  error?: { code: number; message: string };
}

describe('leash mcp on stdio: bad input', () => {
  let root = '';
  let dataDir = '';
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leash-mcp-bad-'));
    dataDir = join(root, 'data');
    const store = await openStore({ dataDir });
    await createDemoOrg(store.db);
    await store.close();
  }, TIMEOUT);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'answers NUL, lone surrogates, 50,000-deep arguments and prototype tool names without -32603',
    async () => {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
      for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_API_KEY'])
        delete env[name];
      const child = spawn(process.execPath, ['bin/leash.js', 'mcp', '--as', OWNER], {
        cwd: REPO_ROOT,
        env: { ...env, LEASH_DATA_DIR: dataDir },
      });
      const answers = new Map<number, Answer>();
      let buffered = '';
      let waiting: (() => void) | null = null;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          const answer = JSON.parse(line) as Answer;
          if (typeof answer.id === 'number') answers.set(answer.id, answer);
          waiting?.();
        }
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const answerTo = async (id: number, line: string): Promise<Answer> => {
        child.stdin.write(`${line}\n`);
        while (!answers.has(id)) await new Promise<void>((resolve) => (waiting = resolve));
        return answers.get(id) as Answer;
      };
      const call = (id: number, name: string, args: string) =>
        answerTo(
          id,
          `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${args}}}`,
        );
      const errorOf = (answer: Answer) => JSON.parse(answer.result?.content?.[1]?.text ?? '{}').error;

      await answerTo(
        1,
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}',
      );
      child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');

      const nul = await call(2, 'search_customers', '{"query":"acme\\u0000corp"}');
      expect(nul.result?.isError).toBe(true);
      expect(errorOf(nul)).toMatchObject({
        code: 'bad_input',
        message: expect.stringMatching(/^query: contains a NUL/),
      });
      const lone = await call(3, 'get_customer', '{"customer_id":"cus_\\ud800"}');
      expect(errorOf(lone)).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/^customer_id: /) });
      const deep = await call(4, 'search_customers', `{"query":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
      expect(errorOf(deep)).toMatchObject({
        code: 'bad_input',
        message: expect.stringMatching(/nested deeper than 64/),
      });
      const prototype = await call(5, 'constructor', '{"approval_id":"apr_x","reason":"reject all"}');
      expect(prototype.error?.code).toBe(-32602);

      for (const answer of answers.values()) expect(answer.error?.code).not.toBe(-32603);
      child.stdin.end();
      expect(await exited).toBe(0);
    },
    TIMEOUT,
  );
});
