/**
 * What `leash start` runs besides (or instead of) the HTTP server: the job queue for its store — pg-boss on
 * PostgreSQL, in-process on the embedded store — with the queues declared and, for the `worker` and `all` roles,
 * this process working them. `LEASH_ROLE=web` only sends (its jobs run on the worker processes).
 */
import type { Logger } from 'pino';
import { badInput } from '../domain/errors.ts';
import type { Gate } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';
import { defineQueues, type JobEnvironment, startWorkers } from './definitions.ts';
import { type JobQueue, setProcessQueue } from './queue.ts';

/** What a `leash start` process runs. */
export type ServerRole = 'web' | 'worker' | 'all';

/** The role from `--worker` or LEASH_ROLE (default `all`); anything else is bad input (exit 2). */
export function roleFrom(workerFlag: boolean, env: NodeJS.ProcessEnv = process.env): ServerRole {
  if (workerFlag) return 'worker';
  const role = (env.LEASH_ROLE ?? 'all').trim();
  if (role === 'web' || role === 'worker' || role === 'all') return role;
  throw badInput('LEASH_ROLE', 'expected web, worker or all');
}

/** Seconds from an environment variable holding a whole number in range, else the default; bad input names it. */
function secondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum: number, maximum: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < minimum || value > maximum)
    throw badInput(name, `expected a whole number from ${minimum} to ${maximum}`);
  return value;
}

/** The background work of one process: its queue and how to stop it. */
export interface BackgroundWork {
  queue: JobQueue;
  /** Stops taking jobs; running ones finish or, past the grace period, go back to the queue via their expiry. */
  stop(): Promise<void>;
}

/** Opens the queue for `store` and, unless `role` is `web`, starts this process's workers and schedules. */
export async function startBackgroundWork(input: {
  store: Store;
  gate: Gate;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  role: ServerRole;
  env?: NodeJS.ProcessEnv;
}): Promise<BackgroundWork> {
  const env = input.env ?? process.env;
  const { store, role } = input;
  if (store.kind === 'pglite' && role !== 'all')
    throw badInput(
      'LEASH_ROLE',
      'web and worker processes share a PostgreSQL database (DATABASE_URL); the embedded store runs one process (all)',
    );
  const environment: JobEnvironment = {
    store,
    gate: input.gate,
    log: input.log,
    expireInSeconds: secondsFrom(env, 'LEASH_JOB_EXPIRE_SECONDS', 300, 3, 3600),
    stripeSyncMinutes: secondsFrom(env, 'LEASH_STRIPE_SYNC_MINUTES', 5, 0, 59),
  };
  const jobsSchema = env.LEASH_JOBS_SCHEMA ?? 'pgboss';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(jobsSchema))
    throw badInput('LEASH_JOBS_SCHEMA', 'expected a schema name like pgboss');
  const worker = role !== 'web';
  const queue =
    store.kind === 'postgres'
      ? await (await import('./pg-boss-queue.ts')).openPgBossQueue({
          databaseUrl: env.DATABASE_URL ?? '',
          schema: jobsSchema,
          maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(environment.expireInSeconds / 3))),
          pollingIntervalSeconds: 1,
          worker,
        })
      : (await import('./in-process-queue.ts')).openInProcessQueue();
  try {
    await defineQueues(queue, environment);
    if (worker) await startWorkers(queue, environment);
  } catch (error) {
    await queue.stop();
    throw error;
  }
  setProcessQueue(queue, worker);
  return {
    queue,
    async stop() {
      setProcessQueue(undefined);
      await queue.stop();
    },
  };
}
