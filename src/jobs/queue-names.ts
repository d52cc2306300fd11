/**
 * The queues' names and the bulk-job hand-off, apart from the job definitions so a surface can hand work to the
 * queue without loading what the workers run.
 */
import type { Channel } from '../operations/define-operation.ts';
import type { JobQueue } from './queue.ts';

/** The queues, by name. */
export const QUEUES = {
  bulkJob: 'bulk-job',
  recovery: 'execution-recovery',
  stripeSweep: 'stripe-sync-sweep',
  stripeSync: 'stripe-sync',
  outbox: 'outbox-delivery',
  checkpoints: 'audit-checkpoints',
  webhooks: 'webhook-delivery',
} as const;

/** A bulk job's queue entry: which job, for which org, run as which member on which channel. */
export interface BulkJobData extends Record<string, unknown> {
  orgId: string;
  jobId: string;
  memberId: string;
  channel: Channel;
}

/** Hands a bulk job to the queue; one slice of it runs at a time, whichever worker takes it. */
export function sendBulkJob(queue: JobQueue, data: BulkJobData): Promise<string | null> {
  return queue.send(QUEUES.bulkJob, data, { singletonKey: data.jobId });
}
