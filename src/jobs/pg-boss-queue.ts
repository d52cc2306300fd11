/**
 * The job queue on PostgreSQL: pg-boss (ADR 0016) in its own schema of the Leash database. pg-boss claims each job
 * for one worker (`for update skip locked`), retries a failed one with exponential backoff, and gives a job whose
 * process died back to the queue once it outlives its expiry; its cron schedules send one job per slot however
 * many processes schedule them, and a singleton queue (pg-boss's `stately` policy)
 * runs one job per key at a time and keeps at most one more waiting.
 */
import PgBoss from 'pg-boss';
import { LeashError } from '../domain/errors.ts';
import {
  JOB_STATES,
  type JobFilter,
  type JobHandler,
  type JobQueue,
  type JobState,
  type QueuedJob,
  type QueueOptions,
} from './queue.ts';

/** How the pg-boss queue is opened. */
export interface PgBossQueueOptions {
  databaseUrl: string;
  /** Schema of pg-boss's tables (created on first start). */
  schema: string;
  /** Seconds between expiry checks (one process runs them each time); the delay before a dead worker's job runs again. */
  maintenanceIntervalSeconds: number;
  /** Seconds a worker waits between polls of an empty queue (a send in the same process wakes it at once). */
  pollingIntervalSeconds: number;
  /** Whether this process works jobs and keeps schedules (`false` for a web-only process or the CLI). */
  worker: boolean;
}

/** Jobs a worker takes per poll. */
const BATCH_SIZE = 10;

interface JobRow {
  id: string;
  name: string;
  state: JobState;
  data: Record<string, unknown> | null;
  retry_count: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  output: Record<string, unknown> | null;
}

/** The failure pg-boss stores in a job's output: the error's message, never a stack for people to read. */
function errorOf(row: JobRow): string | null {
  if (row.state !== 'failed' && row.state !== 'retry') return null;
  const message = row.output && typeof row.output.message === 'string' ? row.output.message : null;
  return message ?? (row.output ? JSON.stringify(row.output).slice(0, 200) : null);
}

function toQueuedJob(row: JobRow): QueuedJob {
  const data = row.data ?? {};
  return {
    id: row.id,
    queue: row.name,
    state: row.state,
    orgId: typeof data.orgId === 'string' ? data.orgId : null,
    data,
    retryCount: row.retry_count,
    createdAt: row.created_on,
    startedAt: row.started_on,
    completedAt: row.completed_on,
    error: errorOf(row),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The where clause for a filter (pg-boss's own queues, named `__…`, are never listed), from parameter `$first`. */
function whereOf(filter: JobFilter, first: number): { text: string; values: unknown[] } {
  const org = filter.orgOnly ? `data->>'orgId' = $${first}` : `(data->>'orgId' = $${first} or data->>'orgId' is null)`;
  return {
    text: `name not like '\\_\\_%'
       and ($${first}::text is null or ${org})
       and ($${first + 1}::text is null or state::text = $${first + 1})
       and ($${first + 2}::text is null or name = $${first + 2})`,
    values: [filter.orgId ?? null, filter.state ?? null, filter.queue ?? null],
  };
}

/** Runs `work` again (up to 3 times) when PostgreSQL ends it as a deadlock: processes starting together declare queues at once. */
async function retryDeadlock(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

/** Opens (and on first use installs) pg-boss; `stop` closes its connections. */
export async function openPgBossQueue(options: PgBossQueueOptions): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema,
    max: 4,
    application_name: 'leash-jobs',
    supervise: options.worker,
    schedule: options.worker,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
    // Finished jobs stay listed for a week (`leash jobs`), then pg-boss deletes them.
    deleteAfterDays: 7,
  });
  // pg-boss reports connection trouble as events; unhandled, an 'error' event would end the process.
  boss.on('error', (error) => process.stderr.write(`leash: job queue: ${error.message}\n`));
  await retryDeadlock(async () => {
    await boss.start();
  });
  const sql = (text: string, values: unknown[]) => boss.getDb().executeSql(text, values);
  const schema = `"${options.schema}"`;
  async function getJob(id: string): Promise<QueuedJob | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await sql(
      `select id, name, state, data, retry_count, created_on, started_on, completed_on, output
         from ${schema}.job where id = $1 and name not like '\\_\\_%'`,
      [id],
    );
    const row = (rows as JobRow[])[0];
    return row ? toQueuedJob(row) : null;
  }
  return {
    engine: 'pg-boss',
    async define(name: string, queue: QueueOptions) {
      const settings = {
        name,
        // stately: one job per key waiting and one running, so a repeated send while one waits is dropped.
        policy: queue.singleton ? ('stately' as const) : ('standard' as const),
        retryLimit: queue.retryLimit,
        retryDelay: queue.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: queue.expireInSeconds,
      };
      await retryDeadlock(async () => {
        await boss.createQueue(name, settings);
        // A queue made by an earlier version keeps its row: bring its retry and expiry up to date.
        await boss.updateQueue(name, settings);
      });
    },
    send: (name, data, sendOptions = {}) =>
      boss.send(name, data, sendOptions.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
    async work<Data extends Record<string, unknown>>(name: string, handler: JobHandler<Data>) {
      // pg-boss polls once per interval, so a worker takes a batch at a time and runs its jobs side by side;
      // each failure is reported on its own job (the rest of the batch completes). A full batch means more are
      // probably waiting: the worker is woken to fetch again at once instead of sleeping out the interval, so a
      // backlog drains at the handlers' pace, not at one batch per interval.
      let workerId: string | undefined;
      workerId = await boss.work<Data>(
        name,
        { batchSize: BATCH_SIZE, pollingIntervalSeconds: options.pollingIntervalSeconds },
        async (jobs) => {
          await Promise.all(
            jobs.map(async (job) => {
              try {
                await handler({ id: job.id, data: job.data });
              } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                await boss.fail(name, job.id, { message });
              }
            }),
          );
          if (jobs.length === BATCH_SIZE && workerId) boss.notifyWorker(workerId);
        },
      );
    },
    every: (name, minutes, data = {}) =>
      boss.schedule(name, minutes >= 60 ? `0 */${Math.round(minutes / 60)} * * *` : `*/${minutes} * * * *`, data),
    async list(filter) {
      const where = whereOf(filter, 2);
      const { rows } = await sql(
        `select id, name, state, data, retry_count, created_on, started_on, completed_on, output
           from ${schema}.job
          where ${where.text}
          order by created_on desc
          limit $1`,
        [filter.limit, ...where.values],
      );
      return (rows as JobRow[]).map(toQueuedJob);
    },
    async counts(filter) {
      const where = whereOf(filter, 1);
      const { rows } = await sql(
        `select state::text as state, count(*)::int as count from ${schema}.job where ${where.text} group by state`,
        where.values,
      );
      const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
      for (const row of rows as { state: JobState; count: number }[]) counts[row.state] = row.count;
      return counts;
    },
    get: getJob,
    async retry(id, within) {
      const job = await getJob(id);
      if (job?.state !== 'failed') return false;
      try {
        // pg-boss answers { affected } (its typings say void): 0 when the job was no longer failed.
        const result = (await boss.retry(job.queue, id, within ? { db: { executeSql: within } } : {})) as unknown as {
          affected?: number;
        };
        return (result?.affected ?? 0) > 0;
      } catch (error) {
        // A singleton queue keeps one job per key waiting: the retry would be a second.
        if ((error as { code?: string }).code === '23505')
          throw new LeashError('conflict', 'a job for the same work is already waiting; it runs first');
        throw error;
      }
    },
    async stop(stopOptions = {}) {
      await boss.stop({ graceful: true, wait: true, timeout: (stopOptions.graceSeconds ?? 20) * 1000 });
    },
  };
}
