/**
 * The job queue on the embedded store: one process owns a PGlite store, so its background work runs in that
 * process, with the same definitions as on PostgreSQL. Jobs wait in memory, run one at a time per singleton key,
 * are retried with exponential backoff, and are listed like pg-boss's. Work still queued when the process stops
 * is not lost: every duty here is resumable from the store (pending bulk targets, queued replies, `executing`
 * rows, the Events API cursor), and the next start's sweeps pick it up.
 */
import { randomUUID } from 'node:crypto';
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

/** Finished jobs kept for `leash jobs`. */
const KEEP_FINISHED = 200;

interface Entry extends QueuedJob {
  key: string;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
  });

/** Whether a job is one `filter` asks for. */
function matches(job: QueuedJob, filter: JobFilter): boolean {
  if (filter.orgId && job.orgId !== filter.orgId && (filter.orgOnly || job.orgId !== null)) return false;
  if (filter.state && job.state !== filter.state) return false;
  return !filter.queue || job.queue === filter.queue;
}

const copy = ({ key: _key, ...job }: Entry): QueuedJob => ({ ...job });

/** Opens an in-process queue. */
export function openInProcessQueue(): JobQueue {
  const queues = new Map<string, QueueOptions>();
  const handlers = new Map<string, JobHandler<Record<string, unknown>>>();
  const jobs: Entry[] = [];
  const runningKeys = new Set<string>();
  const running = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const forget = () => {
    const finished = jobs.filter((job) => job.completedAt !== null);
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      jobs.splice(jobs.indexOf(old), 1);
  };

  async function attempt(entry: Entry, options: QueueOptions, handler: JobHandler<Record<string, unknown>>) {
    for (;;) {
      entry.state = 'active';
      entry.startedAt = new Date();
      try {
        await handler({ id: entry.id, data: entry.data });
        entry.state = 'completed';
        break;
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        if (entry.retryCount >= options.retryLimit || stopped) {
          entry.state = 'failed';
          break;
        }
        entry.state = 'retry';
        await sleep(options.retryDelaySeconds * 1000 * 2 ** entry.retryCount);
        entry.retryCount += 1;
        if (stopped) {
          entry.state = 'failed';
          break;
        }
      }
    }
    entry.completedAt = new Date();
  }

  /** Starts every waiting job whose handler is here and whose singleton key is free. */
  function pump(): void {
    if (stopped) return;
    for (const entry of jobs) {
      if (entry.state !== 'created') continue;
      const handler = handlers.get(entry.queue);
      const options = queues.get(entry.queue);
      if (!handler || !options) continue;
      if (options.singleton && runningKeys.has(entry.key)) continue;
      if (options.singleton) runningKeys.add(entry.key);
      const run = attempt(entry, options, handler).finally(() => {
        runningKeys.delete(entry.key);
        running.delete(run);
        forget();
        pump();
      });
      running.add(run);
    }
  }

  return {
    engine: 'in-process',
    async define(name, options) {
      queues.set(name, options);
    },
    async send(name, data, options = {}) {
      if (stopped) return null;
      const key = `${name}\u0000${options.singletonKey ?? ''}`;
      // Like pg-boss's stately policy: one job per key waits; a repeated send while it waits is dropped.
      if (queues.get(name)?.singleton && jobs.some((job) => job.key === key && job.state === 'created')) return null;
      const entry: Entry = {
        id: randomUUID(),
        queue: name,
        state: 'created',
        orgId: typeof data.orgId === 'string' ? data.orgId : null,
        data,
        retryCount: 0,
        createdAt: new Date(),
        startedAt: null,
        completedAt: null,
        error: null,
        key,
      };
      jobs.push(entry);
      queueMicrotask(pump);
      return entry.id;
    },
    async work(name, handler) {
      handlers.set(name, handler as JobHandler<Record<string, unknown>>);
      queueMicrotask(pump);
    },
    async every(name, minutes, data = {}) {
      const timer = setInterval(() => void this.send(name, data), minutes * 60_000);
      timer.unref();
      timers.push(timer);
    },
    async list(filter) {
      return jobs
        .filter((job) => matches(job, filter))
        .slice(-filter.limit)
        .reverse()
        .map(copy);
    },
    async counts(filter) {
      const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
      for (const job of jobs) if (matches(job, filter)) counts[job.state] += 1;
      return counts;
    },
    async get(id) {
      const entry = jobs.find((job) => job.id === id);
      return entry ? copy(entry) : null;
    },
    async retry(id) {
      const entry = jobs.find((job) => job.id === id);
      if (entry?.state !== 'failed' || stopped) return false;
      if (queues.get(entry.queue)?.singleton && jobs.some((job) => job.key === entry.key && job.state === 'created'))
        throw new LeashError('conflict', 'a job for the same work is already waiting; it runs first');
      // Back to the queue with one more attempt, as pg-boss's retry does; it keeps its place among the jobs.
      entry.state = 'created';
      entry.completedAt = null;
      entry.error = null;
      queueMicrotask(pump);
      return true;
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...running]);
    },
  };
}
