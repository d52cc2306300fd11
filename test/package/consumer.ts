/**
 * Helpers for the package test: pack the repository the way `npm pack` does, and set up a consumer project
 * that installs the tarball offline, from the local npm cache only.
 *
 * `npm install --offline <tgz>` cannot work from a cache filled by `npm ci`: resolving the tarball's version
 * ranges needs each dependency's registry document (packument), and `npm ci` only caches tarballs. So the
 * consumer gets a lock file instead: the tarball itself plus every package of our lock file that is not a dev
 * dependency, at the same place in the tree. `npm ci --offline` then installs exactly that from the cache by
 * integrity. Our `overrides` go into the consumer's package.json too: npm applies overrides only in the root
 * project, and the lock file was resolved with them. A runtime import of a dev dependency, or a file missing from the tarball, fails the commands run
 * afterwards: nothing from this checkout is on their module path.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, runProcess } from '../support/cli.ts';

/** The repository's root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What `npm pack --json` reports about a tarball. */
export interface PackResult {
  filename: string;
  name: string;
  version: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  integrity: string;
  files: { path: string; size: number }[];
}

/** What a command did. */
export type CommandResult = CliResult;

/** Runs a command to completion (standard input closed), killing it after `timeoutMs`. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandResult> {
  return runProcess(command, args, options);
}

export function describeResult(what: string, result: CommandResult): string {
  return `${what}: exit ${result.code} (signal ${result.signal})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

/**
 * The environment for npm and the installed `leash`: this process's, without what would point them back at
 * the checkout or at a database (CI runs the suite a second time with DATABASE_URL set), nor npm's variables
 * from the `npm test` that may have started us (npm_config_* would carry that run's settings).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('LEASH_') || key.startsWith('npm_') || key === 'DATABASE_URL' || key === 'NODE_OPTIONS')
      continue;
    if (key === 'VITEST' || key.startsWith('VITEST_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** `npm pack` of the repository into `destination`, without running its scripts (dist/ and web/dist are built). */
export async function packRepository(destination: string): Promise<PackResult> {
  const result = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    timeoutMs: 120_000,
  });
  if (result.code !== 0) throw new Error(describeResult('npm pack', result));
  const [pack] = JSON.parse(result.stdout) as PackResult[];
  if (!pack) throw new Error(describeResult('npm pack printed no package', result));
  return pack;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

/** The registry address of a package's tarball, which our lock file leaves out (omit-lockfile-registry-resolved). */
function registryTarball(location: string, entry: LockEntry): string | undefined {
  if (entry.resolved) return entry.resolved;
  if (!entry.version) return undefined;
  const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${basename(name)}-${entry.version}.tgz`;
}

/**
 * A consumer project in `dir` depending on the packed tarball only, with a lock file naming the tarball and
 * our lock file's non-dev packages. Returns nothing: run `npm ci --offline` in `dir` next.
 */
export function writeConsumerProject(dir: string, tarball: string, pack: PackResult): void {
  const packageName = pack.name;
  const local = `file:${basename(tarball)}`;
  copyFileSync(tarball, join(dir, basename(tarball)));
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    bin: Record<string, string>;
    engines: Record<string, string>;
    license: string;
    overrides?: Record<string, unknown>;
  };
  const ourLock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, LockEntry> = {
    '': { name: 'leash-consumer', dependencies: { [packageName]: local } },
    [`node_modules/${packageName}`]: {
      version: pack.version,
      resolved: local,
      integrity: pack.integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [location, entry] of Object.entries(ourLock.packages)) {
    if (location === '' || entry.dev || entry.link || !location.startsWith('node_modules/')) continue;
    packages[location] = { ...entry, resolved: registryTarball(location, entry) };
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'leash-consumer', private: true, dependencies: { [packageName]: local }, overrides: manifest.overrides }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    `${JSON.stringify({ name: 'leash-consumer', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}
