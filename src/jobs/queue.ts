/**
 * Background work (issue 19): the `JobQueue` every duty is handed to — bulk job targets, outbox delivery, the
 * Stripe catch-up, recovery of unfinished executions, audit checkpoints. On PostgreSQL it is pg-boss (ADR 0016):
 * each job is claimed by one worker of any process on the database, retried with backoff, and taken over when
 * the process running it dies. On the embedded store (one process owns it) the same definitions run in-process.
 * This module is light on purpose: it names the interface and the process's queue, and loads no engine.
 */

/** The states a job goes through (pg-boss's names, used by both implementations). */
export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;

/** A job's state. */
export type JobState = (typeof JOB_STATES)[number];

/** Which jobs `list` and `counts` read: an org's (with or without the sweeps over every org), a state, a queue. */
export interface JobFilter {
  orgId?: string;
  /** With `orgId`: leave out the sweeps over every org (jobs without an org). */
  orgOnly?: boolean;
  state?: JobState;
  queue?: string;
}

/** Runs one SQL statement with positional parameters in a transaction of the caller's. */
export type SqlRunner = (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>;

/** One job as `leash jobs` shows it. */
export interface QueuedJob {
  id: string;
  queue: string;
  state: JobState;
  /** The org the job is for; null for a sweep over every org. */
  orgId: string | null;
  data: Record<string, unknown>;
  retryCount: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The error of the last failed attempt, when there was one. */
  error: string | null;
}

/** What a job's handler receives. */
export interface JobRun<Data> {
  id: string;
  data: Data;
}

/** How a queue runs jobs of one name. */
export interface QueueOptions {
  /** At most one job of this queue (per `singletonKey`) runs at a time, across every process. */
  singleton: boolean;
  /** Attempts after the first, each after a longer wait (exponential backoff). */
  retryLimit: number;
  /** Seconds before the first retry. */
  retryDelaySeconds: number;
  /** A job running longer than this is taken to be lost with its process and is run again. */
  expireInSeconds: number;
}

/** A handler: throwing fails this attempt (and retries, while attempts remain). */
export type JobHandler<Data> = (job: JobRun<Data>) => Promise<void>;

/** The queue, whichever engine runs it. */
export interface JobQueue {
  /** 'pg-boss' on PostgreSQL, 'in-process' on the embedded store. */
  readonly engine: 'pg-boss' | 'in-process';
  /** Declares a queue (idempotent). */
  define(name: string, options: QueueOptions): Promise<void>;
  /** Adds a job; `singletonKey` keeps one job per key running at a time on a singleton queue. */
  send(name: string, data: Record<string, unknown>, options?: { singletonKey?: string }): Promise<string | null>;
  /** Runs this process's handler for `name` (a worker). */
  work<Data extends Record<string, unknown>>(name: string, handler: JobHandler<Data>): Promise<void>;
  /** Sends a job to `name` every `minutes` (one job per slot whichever processes schedule it). */
  every(name: string, minutes: number, data?: Record<string, unknown>): Promise<void>;
  /** Jobs, newest first. */
  list(filter: JobFilter & { limit: number }): Promise<QueuedJob[]>;
  /** How many jobs are in each state (every state named, zero when none). */
  counts(filter: Omit<JobFilter, 'state'>): Promise<Record<JobState, number>>;
  /** One job by id, or null. */
  get(id: string): Promise<QueuedJob | null>;
  /**
   * Runs a failed job again (its retries spent, one more attempt): it goes back to the queue and a worker takes
   * it. False when the job is not failed (any more); a conflict error when its singleton key has one waiting.
   * `within` runs pg-boss's statement in the caller's transaction (the audit event's), so both commit or neither.
   */
  retry(id: string, within?: SqlRunner): Promise<boolean>;
  /** Stops working: running handlers finish (or are handed back when `graceful` runs out), then the engine closes. */
  stop(options?: { graceSeconds?: number }): Promise<void>;
}

let current: JobQueue | undefined;
let working = false;

/** Registers this process's queue; `withWorkers` says whether this process also runs the jobs. */
export function setProcessQueue(queue: JobQueue | undefined, withWorkers = false): void {
  current = queue;
  working = queue !== undefined && withWorkers;
}

/** This process's queue, when `leash start` opened one (a bare `createServer` in tests has none). */
export function processQueue(): JobQueue | undefined {
  return current;
}

/**
 * Whether this process runs background workers right now: true from the moment `leash start` (role `worker`
 * or `all`) starts them until they stop. `/ready` reports it; a `web`-only process answers false by design.
 */
export function workersRunning(): boolean {
  return working;
}
