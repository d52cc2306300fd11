/**
 * Several `leash start` processes (the compiled CLI) on one fresh PostgreSQL database, for the scale bench
 * (bench/scale.ts) and the scale-out tests (test/scale/): a database made for the run and dropped after it, the
 * demo built once, the same audit signing key, JWT secret and checkpoint directory for every process, loopback
 * ports. It lives beside the bench and imports no test code; the tests import it from here.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** The repository's root (where bin/leash.js lives). */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `node bin/leash.js …args` with exactly `env`, to completion (killed after `timeoutMs`). */
export function runLeash(
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/leash.js', ...args], {
      cwd: REPO_ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 90_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One running server process. */
export interface ServerProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A database with Leash's demo on it, and the environment every process of the cluster shares. */
export interface Cluster {
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  start(extraEnv?: NodeJS.ProcessEnv, args?: string[]): Promise<ServerProcess>;
  close(): Promise<void>;
}

/** Creates a database beside `baseUrl`'s, builds a small demo on it, and returns how to start servers on it. */
export async function openCluster(
  baseUrl: string,
  options: { customers: number; env?: NodeJS.ProcessEnv },
): Promise<Cluster> {
  const name = `leash_scale_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const scratch = mkdtempSync(join(tmpdir(), 'leash-scale-'));
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    LEASH_DATA_DIR: join(scratch, 'data'),
    LEASH_AUDIT_CHECKPOINTS: join(scratch, 'checkpoints'),
    LEASH_AUDIT_SIGNING_KEY: signingKey.toString('base64'),
    LEASH_JWT_SECRET: randomBytes(24).toString('hex'),
    LEASH_STRIPE_SYNC_MINUTES: '0',
    ...options.env,
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const children: ServerProcess[] = [];
  const demo = await runLeash(['demo', '--customers', String(options.customers), '--months', '3', '--json'], {
    env,
    timeoutMs: 180_000,
  });
  if (demo.code !== 0) throw new Error(`leash demo failed: ${demo.stderr}`);
  return {
    databaseUrl,
    env,
    async query<T>(text: string, values: unknown[] = []) {
      return (await pool.query(text, values)).rows as T[];
    },
    async start(extraEnv = {}, args = []) {
      const port = await freePort();
      const child = spawn(process.execPath, ['bin/leash.js', 'start', '--port', String(port), ...args], {
        cwd: REPO_ROOT,
        env: { ...env, ...extraEnv },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      const ready = args.includes('--worker') ? 'Leash worker is running' : 'Leash is running';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`leash start did not come up:\n${output}`)), 60_000);
        const check = () => {
          if (!output.includes(ready)) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout.on('data', check);
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`leash start exited ${code}:\n${output}`));
        });
      });
      const server: ServerProcess = {
        url: `http://127.0.0.1:${port}`,
        child,
        output: () => output,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const closed = new Promise((resolve) => child.once('close', resolve));
          child.kill('SIGTERM');
          await closed;
        },
      };
      child.removeAllListeners('exit');
      children.push(server);
      return server;
    },
    async close() {
      await Promise.all(children.map((child) => child.stop()));
      await pool.end();
      const cleanup = new pg.Client({ connectionString: baseUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Creates an API key for `email` with the CLI (on the cluster's database). */
export async function apiKeyFor(cluster: Cluster, email: string): Promise<string> {
  const created = await runLeash(['keys', 'create', '--as', email, '--name', 'scale', '--json'], { env: cluster.env });
  if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
  return (JSON.parse(created.stdout) as { key: string }).key;
}

/** Calls a server's API with an API key. */
export async function api<T = Record<string, unknown>>(
  server: Pick<ServerProcess, 'url'>,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as T };
  } catch {
    return { status: response.status, body: text as T };
  }
}
