/**
 * How fast the `leash` command starts, as a person runs it: wall time of whole processes, each next to a baseline
 * measured in the same run.
 *
 *   bare Node            `node -e 0`: the floor every command pays
 *   PGlite open          a process that imports PGlite and opens the demo's data directory (with pg_trgm), then closes
 *   leash --help         target ≤ 3× bare Node
 *   read, own store      `leash customers acme` opening the embedded store itself: target ≤ bare + PGlite open + 150 ms
 *   read, via server     the same with `leash start` holding the store (the local channel): target ≤ 5× bare Node
 *
 * The demo (30 customers, 4 months) is built once into <cache>/cli-demo and reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLeashServer } from '../test/support/cli.ts';
import { type Latency, summarise } from './stats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** What {@link measureCli} reports. */
export interface CliFigures {
  runs: number;
  bareNode: Latency;
  pgliteOpen: Latency;
  help: Latency;
  readOwnStore: Latency;
  readViaServer: Latency;
}

function environment(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG']) delete env[name];
  return env;
}

function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`bench cli: node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return elapsed;
}

function sample(runs: number, args: string[], env: NodeJS.ProcessEnv): Latency {
  timeProcess(args, env);
  return summarise(Array.from({ length: runs }, () => timeProcess(args, env)));
}

const PGLITE_OPEN = `
const { PGlite } = await import('@electric-sql/pglite');
const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
const db = await PGlite.create(process.env.LEASH_DATA_DIR, { extensions: { pg_trgm } });
await db.query('select 1');
await db.close();
`;

/** Times the CLI's start-up; `runs` processes per figure. */
export async function measureCli(cacheDir: string, runs: number): Promise<CliFigures> {
  if (!existsSync(join(REPO, 'dist/cli/main.js')))
    throw new Error('bench cli: dist/ is missing: run `npm run build` first');
  const dataDir = resolve(cacheDir, 'cli-demo');
  const env = environment(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    timeProcess(['bin/leash.js', 'demo', '--customers', '30', '--months', '4', '--seed', 'bench', '--json'], env);
  }
  const read = ['bin/leash.js', 'customers', 'acme'];
  const bareNode = sample(runs, ['-e', '0'], env);
  const pgliteOpen = sample(runs, ['--input-type=module', '-e', PGLITE_OPEN], env);
  const help = sample(runs, ['bin/leash.js', '--help'], env);
  const readOwnStore = sample(runs, read, env);
  const server = await startLeashServer(env);
  try {
    const readViaServer = sample(runs, read, env);
    return { runs, bareNode, pgliteOpen, help, readOwnStore, readViaServer };
  } finally {
    await server.stop();
  }
}
