/**
 * What `leash start` and the CLI tables say to a person: the development sign-in link as a plain line, a port in
 * use in one line (no stack trace, exit non-zero), overdue invoices with the customer's name, and dates in the one
 * format of person-time ("20 Nov 2026", never 2026-11-20). Runs the real CLI (dist/) on a scratch PGlite demo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLeash, startLeashServer } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

const root = mkdtempSync(join(tmpdir(), 'leash-start-words-'));
const dataDir = join(root, 'demo');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function env(): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir, NODE_ENV: 'development' };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG', 'LEASH_SMTP_URL'])
    delete copy[name];
  return copy;
}

beforeAll(async () => {
  const built = await runLeash(['demo', '--customers', '30', '--months', '4', '--end', '2026-11-20', '--json'], {
    env: env(),
    timeoutMs: 150_000,
  });
  expect(built.code, built.stderr).toBe(0);
}, 160_000);

describe('leash start speaks in lines', () => {
  it('a port in use: one line naming the port and what to do, exit non-zero, no stack trace', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runLeash(['start', '--port', String(port)], { env: env(), timeoutMs: 60_000 });
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stderr).toContain(`leash: port ${port} is in use: stop the other process or pass --port N\n`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toMatch(/EADDRINUSE|internal error/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 70_000);

  it('a port that is not a number: one line naming --port, exit 2; an empty PORT means the default', async () => {
    const bad = await runLeash(['start', '--port', 'eighty'], { env: env(), timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('leash: --port: expected a whole number, got "eighty"\n');
    const help = await runLeash(['start', '--help'], { env: { ...env(), PORT: '' }, timeoutMs: 60_000 });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/port to listen on \(or PORT\) \(default: "8787"\)/);
  }, 70_000);

  it('prints the development sign-in link as a plain line, not only inside the JSON log', async () => {
    const server = await startLeashServer(env());
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'rita@northwind.test' }),
      });
      expect(response.status).toBe(202);
      const line = new RegExp(
        `^Sign-in link for rita@northwind\\.test \\(opens once, within 15 minutes\\): http://127\\.0\\.0\\.1:${server.port}/login\\?token=\\S+$`,
        'm',
      );
      const deadline = Date.now() + 10_000;
      while (!line.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(server.output()).toMatch(line);
    } finally {
      await server.stop();
    }
  }, 90_000);
});

describe('CLI tables', () => {
  it("overdue invoices name the customer and dates read '20 Nov 2026'", async () => {
    const result = await runLeash(['invoices', '--overdue', '--as', 'rita@northwind.test'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split('\n').slice(2).filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatch(/^INV-\d+\s+\S/);
      expect(row).not.toMatch(/cus_/);
      expect(row).toMatch(/\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b/);
      expect(row).not.toMatch(/\d{4}-\d\d-\d\d/);
    }
    const json = await runLeash(['invoices', '--overdue', '--json', '--as', 'rita@northwind.test'], { env: env() });
    const invoices = JSON.parse(json.stdout) as { customerId: string; customerName: string | null }[];
    expect(
      invoices.every((invoice) => typeof invoice.customerName === 'string' && invoice.customerName.length > 0),
    ).toBe(true);
  }, 60_000);
});
