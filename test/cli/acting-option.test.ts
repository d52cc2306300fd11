/**
 * `--as <email>` on every command that reads or changes an org's data as a member: walks the real CLI's help
 * (dist/), group by group, and checks each command's help offers `--as`. The few commands that act as no member
 * (they build or check local things, or serve without a member) are listed with why.
 */
import { describe, expect, it } from 'vitest';
import { runLeash } from '../support/cli.ts';

/** Commands that act as no member, and why. */
const ACTS_AS_NO_ONE: Record<string, string> = {
  start: 'serves every member; each signs in',
  init: 'creates the org and its owner',
  demo: 'builds a demo org and its members',
  eval: 'runs a suite on its own scratch store',
  recover: 'finishes interrupted executions as their proposers',
  ops: 'lists operation schemas, reads no data',
  'policy check': 'checks policy files on disk',
  'policy test': 'runs policy fixtures on disk',
  'audit verify': 'checks the whole log, for the operator',
  'audit checkpoint': 'writes a signed checkpoint, for the operator',
  'audit rotate-key': 'replaces the signing key, for the operator',
};

function env(): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '200' };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG']) delete copy[name];
  return copy;
}

/** The command names listed under "Commands:" in a help text, without `help`. */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((match) => match[1] as string)
    .filter((name) => name !== 'help');
}

async function help(path: string[]): Promise<string> {
  const result = await runLeash([...path, '--help'], { env: env() });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Every leaf command (its path of names) with its help text, groups walked to any depth. */
async function leafCommands(path: string[] = [], leaves = new Map<string, string>()): Promise<Map<string, string>> {
  const text = await help(path);
  const children = subcommands(text);
  if (children.length === 0 && path.length > 0) leaves.set(path.join(' '), text);
  await Promise.all(children.map((child) => leafCommands([...path, child], leaves)));
  return leaves;
}

describe('--as on every command that acts as someone', () => {
  it("each such command's help offers --as <email>; the others are the listed ones", async () => {
    const leaves = await leafCommands();
    expect(leaves.size).toBeGreaterThan(40);
    const missing = [...leaves]
      .filter(([path, text]) => !(path in ACTS_AS_NO_ONE) && !/^\s+--as <email>/m.test(text))
      .map(([path]) => path);
    expect(missing).toEqual([]);
    for (const path of Object.keys(ACTS_AS_NO_ONE)) expect(leaves.has(path), path).toBe(true);
  }, 180_000);
});
