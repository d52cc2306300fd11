/**
 * The background job queue over HTTP (issue 19), for the dashboard's jobs page and operators' tools:
 * `GET /api/jobs` lists the org's jobs (and the sweeps over every org) newest first with counts by state and each
 * failed job's error; `POST /api/jobs/{id}/retry` runs a failed job of the org again (audited as `job.retried`).
 * Owner and billing managers only. The queue is this process's (`leash start` opens it): on PostgreSQL that is
 * pg-boss's tables, so every process answers alike.
 */
import { z } from 'zod';
import { LeashError } from '../../domain/errors.ts';
import { jobsFor, retryJobAsMember } from '../../jobs/manage.ts';
import { JOB_STATES, type JobQueue, processQueue, type QueuedJob } from '../../jobs/queue.ts';
import { QUEUES } from '../../jobs/queue-names.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

const JOB_ID = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'a job id is a UUID (GET /api/jobs lists them)',
  );

const QUEUE_NAMES = Object.values(QUEUES) as [string, ...string[]];

const jobBody = z.object({
  id: z.string(),
  queue: z.string().describe(`the queue: ${QUEUE_NAMES.join(', ')}`),
  state: z.enum(JOB_STATES),
  orgId: z.string().nullable().describe("the org the job is for; null for a sweep over every org (it isn't retried)"),
  bulkJobId: z.string().nullable().describe('for a bulk-job slice, the bulk job (job_…) it runs'),
  retryCount: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  error: z.string().nullable().describe("the last failed attempt's error (a sweep's is kept on the server)"),
});

const count = z.number().int();
const countsBody = z.object({
  created: count,
  retry: count,
  active: count,
  completed: count,
  cancelled: count,
  failed: count,
});

function asBody(job: QueuedJob): z.infer<typeof jobBody> {
  return {
    id: job.id,
    queue: job.queue,
    state: job.state,
    orgId: job.orgId,
    bulkJobId: typeof job.data.jobId === 'string' ? job.data.jobId : null,
    retryCount: job.retryCount,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
    error: job.error,
  };
}

function queueOrRefuse(): JobQueue {
  const queue = processQueue();
  if (!queue) throw new LeashError('unavailable', 'this server runs no job queue (`leash start` opens one)');
  return queue;
}

/** Registers the job queue routes. */
export function registerJobRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary:
          "Background jobs, newest first: the org's (bulk-job slices, Stripe catch-ups) and the sweeps over every org, with counts by state (owner and billing managers)",
        querystring: z
          .object({
            state: z.enum(JOB_STATES).optional(),
            queue: z.enum(QUEUE_NAMES).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: {
          200: z.object({
            engine: z.enum(['pg-boss', 'in-process']),
            counts: countsBody.describe('jobs in each state (of the queue asked for), not only those listed'),
            jobs: z.array(jobBody),
          }),
        },
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const view = await jobsFor(context, queueOrRefuse(), request.query);
        return { engine: view.engine, counts: view.counts, jobs: view.jobs.map(asBody) };
      }),
  );

  app.post(
    '/api/jobs/:id/retry',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['jobs'],
        summary:
          "Run one of the org's failed jobs again (owner and billing managers; audited as job.retried); a bulk job's targets still run once each",
        params: z.object({ id: JOB_ID }),
        response: { 200: z.object({ job: jobBody }) },
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({
        job: asBody(await retryJobAsMember(context, queueOrRefuse(), request.params.id)),
      })),
  );
}
