/**
 * `leash demo` without `--json` speaks to a person: progress labelled in days simulated, then a summary in words
 * that names the customers with stories to find, not a JSON dump. Runs the real CLI (dist/) on a scratch PGlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLeash } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'leash-demo-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function leash(dataDir: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG']) delete env[name];
  return runLeash(args, { env, timeoutMs: 120_000 });
}

describe('leash demo and customer output', () => {
  it('labels progress in days and prints a summary in words naming the stories, not JSON', async () => {
    const result = await leash(join(root, 'words'), [
      'demo',
      '--customers',
      '30',
      '--months',
      '4',
      '--end',
      '2026-11-20',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/simulating 4 months of billing \d+% \(\d+\/\d+ days\)/);
    expect(result.stdout.trimStart().startsWith('{')).toBe(false);
    expect(result.stdout).not.toMatch(/^\s*[{}]\s*$|"invoices":/m);
    expect(result.stdout).toMatch(/^Built the demo business of Northwind Cloud in /);
    expect(result.stdout).toMatch(/History\s+\d+ \w{3} 2026 to 20 Nov 2026 \(4 months\), seed "leash"/);
    expect(result.stdout).toMatch(/Charged twice\s+.*Acme Corp/);
    expect(result.stdout).toMatch(/Duplicates\s+.*Globex/);
    expect(result.stdout).not.toMatch(/cus_demo/);
  }, 150_000);

  it("shows a customer's plan by name and price, not a price id, and no negative zero", async () => {
    const result = await leash(join(root, 'words'), ['customer', 'Acme Corp', '--as', 'rita@northwind.test']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/active\s+.*(?:Starter|Basic|Pro|Business) \(\$\d+(?:\.\d\d)?\/(?:month|year)\)/);
    expect(result.stdout).not.toMatch(/price_/);
    expect(result.stdout).not.toMatch(/-\$0\.00/);
  }, 60_000);

  it('keeps the JSON summary with --json', async () => {
    const result = await leash(join(root, 'json'), ['demo', '--customers', '5', '--months', '1', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { summary: { customers: number }; org: { name: string } };
    expect(parsed.summary.customers).toBe(5);
    expect(parsed.org.name).toBe('Northwind Cloud');
  }, 150_000);
});
