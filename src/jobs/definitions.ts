/**
 * Leash's background jobs: one definition each, the same on pg-boss and in-process. Each names its queue (one job
 * at a time per key where running two together would be wasted or wrong), how it retries, and what it does; the
 * duties themselves live with the code they belong to (bulk jobs, maintenance). A bulk job runs in slices of a
 * third of its expiry and re-queues the rest, so a job lost with its process is taken over within one expiry.
 */
import type { Logger } from 'pino';
import { auditSetupOf } from '../audit/audit-setup.ts';
import { lastAuditRow } from '../audit/chain-ends.ts';
import { writeCheckpoint } from '../audit/checkpoints.ts';
import { getMember, getOrg, listOrgs } from '../auth/members.ts';
import { runBulkJob } from '../operations/bulk/define-bulk.ts';
import { smtpFromEnvironment } from '../operations/deliver-outbox.ts';
import type { Gate } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';
import { withOrgScope } from '../store/org-scope.ts';
import {
  deliverAllOutboxes,
  recoverAllExecutions,
  stripeOrgIds,
  syncStripeOrg,
  unfinishedBulkJobs,
} from '../surfaces/maintenance.ts';
import { memberContext } from '../surfaces/operation-context.ts';
import { deliverDue } from '../webhooks/deliver.ts';
import type { JobQueue, QueueOptions } from './queue.ts';
import { type BulkJobData, QUEUES, sendBulkJob } from './queue-names.ts';

/** What the jobs run with. */
export interface JobEnvironment {
  store: Pick<Store, 'db'>;
  gate: Gate;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Seconds a job may run before it counts as lost with its process (LEASH_JOB_EXPIRE_SECONDS). */
  expireInSeconds: number;
  /** Minutes between Stripe catch-ups (LEASH_STRIPE_SYNC_MINUTES; 0: never). */
  stripeSyncMinutes: number;
}

function queueOptions(environment: JobEnvironment, singleton: boolean, retryLimit = 5): QueueOptions {
  return { singleton, retryLimit, retryDelaySeconds: 5, expireInSeconds: environment.expireInSeconds };
}

/** Declares every queue (both web and worker processes send to them). */
export async function defineQueues(queue: JobQueue, environment: JobEnvironment): Promise<void> {
  await queue.define(QUEUES.bulkJob, queueOptions(environment, true, 10));
  await queue.define(QUEUES.recovery, queueOptions(environment, true));
  await queue.define(QUEUES.stripeSweep, queueOptions(environment, true, 1));
  await queue.define(QUEUES.stripeSync, queueOptions(environment, true));
  await queue.define(QUEUES.outbox, queueOptions(environment, true));
  await queue.define(QUEUES.checkpoints, queueOptions(environment, true));
  await queue.define(QUEUES.webhooks, queueOptions(environment, true, 1));
}

async function runBulkSlice(queue: JobQueue, environment: JobEnvironment, data: BulkJobData): Promise<void> {
  const { store, gate } = environment;
  const org = await getOrg(store.db, data.orgId);
  const member = org ? await getMember(store.db, org.id, data.memberId) : undefined;
  if (!org || !member) throw new Error(`bulk job ${data.jobId}: its org or member is gone`);
  const context = memberContext({ store, org, member, gate, channel: data.channel });
  const sliceEnds = Date.now() + (environment.expireInSeconds * 1000) / 3;
  environment.log.info({ jobId: data.jobId, org: org.id }, 'bulk job slice started');
  const report = await withOrgScope(org.id, () =>
    runBulkJob(context, data.jobId, { shouldStop: () => Date.now() > sliceEnds }),
  );
  environment.log.info(
    { jobId: data.jobId, org: org.id, status: report.status, done: report.succeeded + report.failed },
    'bulk job slice ended',
  );
  if (report.status === 'running' || report.status === 'pending') await sendBulkJob(queue, data);
}

/** Registers this process as a worker of every queue, and the schedules (one job per slot across processes). */
export async function startWorkers(queue: JobQueue, environment: JobEnvironment): Promise<void> {
  const { store, gate, log } = environment;
  await queue.work<BulkJobData>(QUEUES.bulkJob, ({ data }) => runBulkSlice(queue, environment, data));
  await queue.work(QUEUES.recovery, async () => {
    const recovered = (await recoverAllExecutions(store, gate)).flatMap((entry) => entry.outcomes);
    if (recovered.length > 0)
      log.warn(
        { recovered: recovered.map((outcome) => `${outcome.proposalId} ${outcome.status}`) },
        'recovered executions left unfinished',
      );
  });
  await queue.work(QUEUES.stripeSweep, async () => {
    for (const orgId of await stripeOrgIds(store))
      await queue.send(QUEUES.stripeSync, { orgId }, { singletonKey: orgId });
  });
  await queue.work<{ orgId: string }>(QUEUES.stripeSync, ({ data }) => syncStripeOrg(store, data.orgId, log));
  await queue.work(QUEUES.outbox, async () => {
    await deliverAllOutboxes(store, gate, smtpFromEnvironment());
  });
  await queue.work(QUEUES.checkpoints, () => checkpointMovedHeads(store));
  await queue.every(QUEUES.recovery, 2);
  await queue.every(QUEUES.outbox, 1);
  await queue.every(QUEUES.checkpoints, 1);
  await startWebhookDelivery(queue, environment);
  if (environment.stripeSyncMinutes > 0) await queue.every(QUEUES.stripeSweep, environment.stripeSyncMinutes);
  // One sweep now: executions a crash left half-done run again soon after any process starts, not minutes later.
  await queue.send(QUEUES.recovery, {});
  // On the embedded store the queue lived in the process that stopped: its unfinished bulk jobs start again, as
  // their requester. (On PostgreSQL their queue entries outlive any process; `leash jobs run` resumes by hand.)
  if (queue.engine === 'in-process')
    for (const job of await unfinishedBulkJobs(store)) await sendBulkJob(queue, { ...job, channel: 'cli' });
}

/** Checkpoints each org whose committed last row moved past its last checkpoint (by any process). */
async function checkpointMovedHeads(store: Pick<Store, 'db'>): Promise<void> {
  const sink = auditSetupOf(store.db).sink;
  for (const org of await listOrgs(store.db)) {
    const head = await lastAuditRow(store.db, org.id);
    if (!head) continue;
    if (sink.read(org.id).at(-1)?.seq === head.seq) continue;
    await writeCheckpoint(store.db, org.id);
  }
}

/**
 * Outbound webhooks (issue 20): every minute, each org's new billing events are fanned out to its endpoints and
 * every due attempt is made; retries and dead-lettering are the deliveries' own state (src/webhooks/deliver.ts),
 * so the job itself is not retried.
 */
async function startWebhookDelivery(queue: JobQueue, environment: JobEnvironment): Promise<void> {
  const { store, log } = environment;
  await queue.work(QUEUES.webhooks, async () => {
    for (const org of await listOrgs(store.db)) {
      const report = await withOrgScope(org.id, () => deliverDue(store.db as Store['db'], org.id));
      if (report.dead.length > 0 || report.retrying.length > 0)
        log.warn({ org: org.id, dead: report.dead, retrying: report.retrying.length }, 'webhook deliveries failed');
    }
  });
  await queue.every(QUEUES.webhooks, 1);
}
