/**
 * `leash jobs queue` and `leash jobs retry`: the background jobs of the org's database as the queue holds them. On
 * PostgreSQL the CLI opens pg-boss's tables (every process's jobs) without working any; the embedded store's
 * queue lives inside `leash start`, so a CLI beside it has none to read (the dashboard and GET /api/jobs show it).
 */
import type { Store } from '../store/db.ts';
import type { JobQueue } from './queue.ts';

/** Runs `use` with the database's pg-boss queue (not working jobs); null on the embedded store. */
export async function withQueueOf<Result>(
  store: Pick<Store, 'kind'>,
  use: (queue: JobQueue) => Promise<Result>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Result | null> {
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
    return await use(queue);
  } finally {
    await queue.stop({ graceSeconds: 1 });
  }
}
