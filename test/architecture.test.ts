/**
 * The module boundaries of ARCHITECTURE.md §2 that the leash depends on, checked on the source: surfaces and the
 * agent never reach a connector (complete mediation, §3.1: they only call operations), and the lower modules
 * never import upwards. A new exception has to be listed here, with its reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every relative import in src: [importing file, imported file], both relative to src. */
const IMPORTS: [string, string][] = sources(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)].map((match): [string, string] => [
    relative(SRC, file),
    relative(SRC, resolve(dirname(file), match[1] ?? match[2] ?? '')),
  ]),
);

const moduleOf = (path: string) => path.split('/')[0] ?? '';

/** Imports of connectors outside the pipeline, each for a reason that does not reach billing. */
const CONNECTOR_EXCEPTIONS: Record<string, string> = {
  'surfaces/operation-context.ts -> connectors/open-connector.ts':
    'builds the connector factory the pipeline is handed; surfaces never call it themselves',
  'cli/commands/connect.ts -> connectors/stripe/restricted-key.ts': 'the list of permissions shown in --help',
};

describe('module boundaries', () => {
  it('found the imports it checks', () => {
    expect(IMPORTS.length).toBeGreaterThan(500);
  });

  it('surfaces and the agent never import a connector (they call operations)', () => {
    const offending = IMPORTS.filter(
      ([from, to]) =>
        ['agent', 'cli', 'mcp', 'http', 'surfaces'].includes(moduleOf(from)) && moduleOf(to) === 'connectors',
    )
      .map(([from, to]) => `${from} -> ${to}`)
      .filter((pair) => !(pair in CONNECTOR_EXCEPTIONS));
    expect(offending).toEqual([]);
  });

  it.each([
    ['domain', []],
    ['store', ['domain']],
    ['policy', ['domain']],
    ['connectors', ['domain', 'store']],
    ['audit', ['domain', 'store']],
    ['approvals', ['domain', 'store', 'policy']],
    ['secrets', ['domain', 'store']],
    // The gate service and outbound webhooks sit beside operations (they share its contexts and the modes).
    ['gate', ['domain', 'store', 'policy', 'approvals', 'audit', 'operations']],
    ['webhooks', ['domain', 'store', 'secrets', 'operations']],
  ])('%s imports only %j', (name, allowed) => {
    const offending = IMPORTS.filter(
      ([from, to]) => moduleOf(from) === name && moduleOf(to) !== name && !(allowed as string[]).includes(moduleOf(to)),
    ).map(([from, to]) => `${from} -> ${to}`);
    expect(offending).toEqual([]);
  });
});
