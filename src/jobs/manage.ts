/**
 * What people see of the background job queue, from any surface (HTTP `GET /api/jobs`, the dashboard's jobs page,
 * `leash jobs queue`): the org's jobs with their state, counts by state, a failed job's error, and running a
 * failed job again. Reading and retrying are for the owner and billing managers (finance among them): a job's
 * data names the org's bulk jobs and members. A retry runs background work that already passed the pipeline (a
 * bulk job's remaining targets, each still executed once; a Stripe catch-up), so it is not a new proposal; it is
 * recorded in the audit log (`job.retried`).
 *
 * The sweeps over every org (recovery, outbox, checkpoints, webhook delivery) are listed beside the org's own jobs
 * so a stalled duty shows, but their errors may concern any org: over HTTP they read as a fixed sentence, and only
 * their own schedule runs them again.
 */
import { CompiledQuery } from 'kysely';
import { LeashError, notFound } from '../domain/errors.ts';
import { recordStep } from '../operations/audit-trail.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import { withoutOrgScope } from '../store/org-scope.ts';
import type { JobQueue, JobState, QueuedJob, SqlRunner } from './queue.ts';

/** Roles that read and retry the queue. */
const MAY_MANAGE = new Set(['owner', 'billing_manager']);

/** What stands for a sweep's error outside the server. */
export const SWEEP_ERROR = 'failed; a sweep covers every org, so its error is only in `leash jobs queue` on the server';

/** The queue as one org sees it. */
export interface JobsView {
  engine: JobQueue['engine'];
  /** Jobs in each state, the org's and the sweeps' (all of them, not only those listed). */
  counts: Record<JobState, number>;
  jobs: QueuedJob[];
}

/** Filters people use. */
export interface JobsQuery {
  state?: JobState | undefined;
  queue?: string | undefined;
  limit: number;
}

function mayManage(context: Pick<OperationContext, 'actor'>, action: string): void {
  if (!MAY_MANAGE.has(context.actor.role))
    throw new LeashError('forbidden', `only the owner and billing managers may ${action} background jobs`);
}

/** A job as the org sees it: a sweep's error is a fixed sentence. */
function shown(job: QueuedJob): QueuedJob {
  return job.orgId === null && job.error !== null ? { ...job, error: SWEEP_ERROR } : job;
}

/** The org's jobs and the sweeps, newest first, with counts by state. */
export async function jobsFor(
  context: Pick<OperationContext, 'actor'>,
  queue: JobQueue,
  query: JobsQuery,
): Promise<JobsView> {
  mayManage(context, 'see');
  const orgId = context.actor.orgId;
  const [counts, jobs] = await Promise.all([
    queue.counts({ orgId, queue: query.queue }),
    queue.list({ orgId, state: query.state, queue: query.queue, limit: query.limit }),
  ]);
  return { engine: queue.engine, counts, jobs: jobs.map(shown) };
}

/** Runs one of the org's failed jobs again, as the caller, audited. */
export async function retryJobAsMember(
  context: Pick<OperationContext, 'db' | 'actor' | 'channel' | 'requestId' | 'userInput'>,
  queue: JobQueue,
  jobId: string,
): Promise<QueuedJob> {
  mayManage(context, 'retry');
  const job = await queue.get(jobId);
  // Another org's job is "no such job", exactly like a missing one.
  if (!job || (job.orgId !== null && job.orgId !== context.actor.orgId)) throw notFound('job', jobId);
  if (job.orgId === null)
    throw new LeashError('invalid_state', 'a sweep over every org runs again on its own schedule; it is not retried', {
      jobId,
    });
  const notFailed = () =>
    new LeashError('invalid_state', `only a failed job is retried; this one is ${job.state}`, {
      jobId,
      state: job.state,
    });
  if (job.state !== 'failed') throw notFailed();
  // The audit event and the queue's change in one transaction (pg-boss's tables are in the same database), outside
  // the org scope: the queue's schema is not the org's. The event names the org explicitly.
  await withoutOrgScope(() =>
    context.db.transaction().execute(async (trx) => {
      await recordStep(trx, context, 'job.retried', {
        arguments: { jobId },
        result: { jobId, queue: job.queue, error: job.error, retryCount: job.retryCount },
      });
      const run: SqlRunner = async (text, values) => ({
        rows: [...(await trx.executeQuery(CompiledQuery.raw(text, values))).rows],
      });
      if (!(await queue.retry(jobId, run))) throw notFailed();
    }),
  );
  return shown((await queue.get(jobId)) ?? job);
}
