/**
 * The npm package: `npm pack` of this repository, installed into an empty directory offline (from the local npm
 * cache, which `npm ci` filled), runs `leash --help`, `leash demo`, `leash mcp` under the real MCP SDK client the
 * way Claude Desktop launches it (command + args + env), and `leash start` serving the dashboard at /. Nothing
 * from the checkout is on the installed package's module path, and every command runs from another empty
 * directory, so a file missing from the tarball, a runtime import of a dev dependency or a path read from the
 * working directory fails here.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import {
  cleanEnv,
  describeResult,
  type PackResult,
  packRepository,
  REPO_ROOT,
  run,
  writeConsumerProject,
} from './consumer.ts';

const CLERK = 'carl@northwind.test';
const INSTALL_TIMEOUT = 300_000;

let work = '';
let pack: PackResult;
let leash = '';
let elsewhere = '';
let dataDir = '';

beforeAll(async () => {
  for (const built of ['dist/cli/main.js', 'web/dist/index.html'])
    if (!existsSync(join(REPO_ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` and \`npm run build:web\` before this test`);
  work = mkdtempSync(join(tmpdir(), 'leash-package-'));
  pack = await packRepository(work);
  const app = join(work, 'app');
  mkdirSync(app);
  writeConsumerProject(app, join(work, pack.filename), pack);
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], {
    cwd: app,
    env: cleanEnv(),
    timeoutMs: INSTALL_TIMEOUT,
  });
  if (install.code !== 0) throw new Error(describeResult('npm ci --offline of the packed tarball', install));
  expect(install.stderr).not.toContain('EBADENGINE');
  leash = join(app, 'node_modules', '.bin', 'leash');
  elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  dataDir = join(work, 'data');
}, INSTALL_TIMEOUT + 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the built CLI, dashboard, policies and classifier data with their licences, and no sources or tests', () => {
    const paths = pack.files.map((file) => file.path);
    expect(pack.name).toBe('leash-billing');
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/leash.js',
        'dist/cli/main.js',
        'web/dist/index.html',
        'policies/rules.yaml',
        'policies/schema.cedarschema',
        'data/classify/README.md',
        'data/classify/banking77_billing_train.csv',
        'data/classify/saas-billing.csv',
        'data/intents/refund_charge.txt',
        'data/intents/unsupported.txt',
      ]),
    );
    const unwanted = /^(src|test|bench|evals|scripts|conformance|docs|web\/src|web\/public|data\/stripe|\.ci)\//;
    expect(paths.filter((path) => unwanted.test(path) || path.endsWith('.test.js') || path.endsWith('.ts'))).toEqual(
      [],
    );
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      private?: boolean;
    };
    expect(manifest.bin).toEqual({ leash: 'bin/leash.js' });
    expect(manifest.private).toBeUndefined();
    // Size for the record (the ADR quotes it): a few hundred kB packed.
    expect(pack.size).toBeLessThan(2_000_000);
    process.stdout.write(
      `packed ${pack.filename}: ${pack.size} bytes, ${pack.unpackedSize} unpacked, ${pack.entryCount} files\n`,
    );
  });

  it('runs `leash --help`, `leash demo` and `leash ask` from another directory', async () => {
    const help = await run(leash, ['--help'], { cwd: elsewhere, env: cleanEnv(), timeoutMs: 60_000 });
    expect(help.code, describeResult('leash --help', help)).toBe(0);
    expect(help.stdout).toContain('Usage: leash');
    expect(help.stdout).toContain('mcp');

    const demo = await run(leash, ['demo', '--customers', '20', '--months', '2', '--json'], {
      cwd: elsewhere,
      env: cleanEnv({ LEASH_DATA_DIR: dataDir }),
      timeoutMs: 180_000,
    });
    expect(demo.code, describeResult('leash demo', demo)).toBe(0);
    expect(existsSync(dataDir)).toBe(true);
    expect(existsSync(join(elsewhere, '.leash'))).toBe(false);

    // The built-in planner trains on data/intents when first asked: the package must carry that corpus.
    const ask = await run(leash, ['ask', 'which invoices are overdue?', '--as', CLERK], {
      cwd: elsewhere,
      env: cleanEnv({ LEASH_DATA_DIR: dataDir }),
      timeoutMs: 120_000,
    });
    expect(ask.code, describeResult('leash ask', ask)).toBe(0);
    expect(ask.stdout).toMatch(/invoices? match/);
  }, 360_000);

  it('serves its tools to the MCP SDK client over stdio, launched as Claude Desktop launches it', async () => {
    const transport = new StdioClientTransport({
      command: leash,
      args: ['mcp', '--as', CLERK],
      env: cleanEnv({ LEASH_DATA_DIR: dataDir }) as Record<string, string>,
      cwd: elsewhere,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      expect(names, stderr).toEqual(expect.arrayContaining(['search_customers', 'refund_charge', 'confirm_proposal']));
      const found = await client.callTool({ name: 'search_customers', arguments: { query: 'a' } });
      expect(found.isError, JSON.stringify(found)).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(stderr).toContain(CLERK); // `leash mcp: serving … as carl@… (role) on stdio`
  }, 180_000);

  it('`leash start` serves the dashboard at / from the installed package', async () => {
    const port = await freePort();
    const server = spawn(leash, ['start', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: elsewhere,
      env: cleanEnv({ LEASH_DATA_DIR: dataDir, LEASH_STRIPE_SYNC_MINUTES: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!output.includes('Leash is running at')) {
        if (server.exitCode !== null) throw new Error(`leash start exited with ${server.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`leash start did not report it was running:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status, output).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      const html = await response.text();
      expect(html).toContain('<div id="root"');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const asset = await fetch(`http://127.0.0.1:${port}${script}`);
      expect(asset.status).toBe(200);
    } finally {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }, 180_000);
});
