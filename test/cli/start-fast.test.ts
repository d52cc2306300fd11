/**
 * What `leash` loads to start: `--help`, and a command's own help, import commander and the command definitions,
 * never the store, the policy engine, the operations or the agent (issue 15: the CLI starts in a blink). A command
 * module that imports one of those at its top fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

/** Modules that must not load for help: each is the start-up cost of some other command. */
const HEAVY = [
  /node_modules\/(@electric-sql\/pglite|kysely|pg|zod|@cedar-policy|ai|@ai-sdk|stripe|fastify|@modelcontextprotocol|pino|yaml)\//,
  /\/dist\/(operations|store\/db|store\/remote-store|policy|agent|connectors\/ledger|http|mcp|audit|auth)\//,
];

/** Data-only modules of those folders that help text shows (planner names, the demo team). */
const LIGHT = [/\/dist\/agent\/planner-names\.js$/, /\/dist\/auth\/demo-team\.js$/];

const scratch = mkdtempSync(join(tmpdir(), 'leash-trace-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The modules `leash …args` resolved. */
function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const file = join(scratch, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const result = spawnSync(
    process.execPath,
    ['--import', join(REPO_ROOT, 'test/support/trace-imports.mjs'), 'bin/leash.js', ...args],
    { cwd: REPO_ROOT, env: { ...env, LEASH_TRACE_IMPORTS: file }, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`leash ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

describe('leash starts light', () => {
  it.each([['--help'], ['customers', '--help'], ['mcp', '--help'], ['start', '--help'], ['ask', '--help']])(
    'leash %s loads no store, policy engine, operations or agent',
    (...args: string[]) => {
      const loaded = modulesLoadedBy(args);
      expect(loaded.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
      const heavy = loaded.filter(
        (url) => HEAVY.some((pattern) => pattern.test(url)) && !LIGHT.some((pattern) => pattern.test(url)),
      );
      expect(heavy).toEqual([]);
    },
  );
});
