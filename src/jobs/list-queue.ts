/**
 * `leash jobs queue`: the background jobs of the org's database as the queue holds them. On PostgreSQL it reads
 * pg-boss's tables (every process's jobs); the embedded store's queue lives inside `leash start`, so a CLI
 * beside it has none to read.
 */
import type { Store } from '../store/db.ts';
import type { QueuedJob } from './queue.ts';

/** Jobs for `orgId` (and the sweeps over every org), newest first; null on the embedded store. */
export async function listQueueJobs(
  store: Pick<Store, 'kind'>,
  orgId: string,
  limit: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<QueuedJob[] | null> {
  if (store.kind !== 'postgres' || !env.DATABASE_URL) return null;
  const { openPgBossQueue } = await import('./pg-boss-queue.ts');
  const queue = await openPgBossQueue({
    databaseUrl: env.DATABASE_URL,
    schema: env.LEASH_JOBS_SCHEMA ?? 'pgboss',
    maintenanceIntervalSeconds: 60,
    pollingIntervalSeconds: 2,
    worker: false,
  });
  try {
    return await queue.list({ orgId, limit });
  } finally {
    await queue.stop({ graceSeconds: 1 });
  }
}
