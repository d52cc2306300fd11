/**
 * End to end: bad input on the CLI exits 2 naming the field (never 1 with "internal error"): NUL and a lone
 * surrogate written as JSON escapes in `--input`, a 50,000-deep input, and a date PostgreSQL cannot hold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { type CliResult, runLeash } from '../support/cli.ts';

const TIMEOUT = 240_000;
const OWNER = 'olivia@northwind.test';

let root = '';
let dataDir = '';

function leash(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG']) delete env[name];
  return runLeash(args, { env });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-bad-input-'));
  dataDir = join(root, 'data');
  const demo = await leash(['demo', '--customers', '2', '--months', '1', '--seed', '3', '--json']);
  if (demo.code !== 0) throw new Error(`leash demo failed: ${demo.stderr}`);
}, TIMEOUT);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('bad input on the CLI', () => {
  it.each([
    ['NUL', 'search_customers', '{"query":"acme\\u0000corp"}', /query: contains a NUL/],
    ['a lone surrogate', 'get_customer', '{"customer_id":"cus_\\ud800"}', /customer_id: contains a lone UTF-16/],
    [
      '50,000-deep nesting',
      'search_customers',
      `{"query":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      /query\.0\.0.*nested deeper than 64/,
    ],
  ])(
    '%s in --input exits 2 naming the field',
    async (_name, operation, input, line) => {
      const result = await leash(['run', operation, '--as', OWNER, '--input', input]);
      expect(result.code).toBe(EXIT.badInput);
      expect(result.stderr).toMatch(line);
      expect(result.stderr).not.toMatch(/internal error|PostgreSQL|byte sequence|RangeError/);
    },
    TIMEOUT,
  );
});
