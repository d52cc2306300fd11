/**
 * Bulk operations: one proposal lists every target (resolved server-side, part of the approved payload, so a
 * segment that changes after approval blocks at execution). Executing the proposal creates a durable job with
 * one row per target; `runBulkJob` then works through it, throttled, each target in its own transaction with
 * a key derived from the proposal's and the target's position, and an audit row. A crash leaves pending rows
 * behind; running the job again resumes, and a target whose write landed before the crash replays its first
 * answer instead of applying twice. Each target is claimed (`for update skip locked`) in its transaction, so
 * two workers resuming one job at once share it out: each target is worked, and audited, by one of them.
 */
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { BillingConnector } from '../../connectors/connector.ts';
import { LeashError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { json } from '../../store/json.ts';
import type { Database } from '../../store/schema.ts';
import { recordStep } from '../audit-trail.ts';
import { queueNotifications } from '../broadcast-queue.ts';
import { BROADCAST_TEMPLATES, type Figures, isBroadcastOperation } from '../broadcast-template.ts';
import type { OperationContext, Preview, WriteOperation } from '../define-operation.ts';

/** One target of a bulk action: what to act on and how it reads in a preview. */
export interface BulkTarget {
  customerId: string;
  /** The customer's name, for the preview's customer list. */
  customerName?: string;
  label: string;
  /** The ids the target's write needs (subscription, invoice, price…). */
  ids: Record<string, string>;
  /** Money this target moves (for the money total), when it moves any. */
  amount?: number;
  currency?: string;
  /** The target's own figures for its customer's notification (broadcast-template.ts), bound with it. */
  figures?: Figures;
}

/** Most targets one bulk proposal may list. */
export const MAX_TARGETS = 5_000;

/** Writes per second a job runs at unless the proposal asks for less. */
export const DEFAULT_RATE = 20;

/** A bulk operation's definition. */
export interface BulkDefinition<Input> {
  name: string;
  description: string;
  kind: string;
  input: z.ZodType<Input>;
  destructive: boolean;
  /** Resolves every target now, from the store. */
  targets(context: OperationContext, input: Input, connector: BillingConnector): Promise<BulkTarget[]>;
  /** The preview's one line, from the resolved targets. */
  summary(input: Input, targets: BulkTarget[]): string;
  /** Facts beyond the targets an approval is bound to (the coupon, the new price…). */
  bound(input: Input): Record<string, unknown>;
  /** Acts on one target with its own idempotency key. */
  runTarget(connector: BillingConnector, target: BulkTarget, input: Input, idempotencyKey: string): Promise<unknown>;
  /** Rate limit: writes per second. */
  rate?(input: Input): number;
}

const runners = new Map<string, BulkDefinition<never>>();

/** Declares a bulk operation: a write whose execution creates the job. */
export function defineBulk<Input>(
  definition: BulkDefinition<Input>,
): WriteOperation<Input, { jobId: string; total: number }> {
  runners.set(definition.name, definition as unknown as BulkDefinition<never>);
  return {
    name: definition.name,
    description: definition.description,
    kind: definition.kind,
    input: definition.input,
    destructive: definition.destructive,
    async facts(context, input, connector) {
      const targets = await definition.targets(context, input, connector);
      if (targets.length === 0) throw new LeashError('invalid_state', 'no target matches: nothing to do');
      if (targets.length > MAX_TARGETS)
        throw new LeashError(
          'bad_input',
          `${targets.length} targets; one bulk action may list at most ${MAX_TARGETS}`,
          {
            field: 'targets',
          },
        );
      const customers = [...new Set(targets.map((target) => target.customerId))];
      const moneyTargets = targets.filter((target) => target.amount !== undefined);
      const currency = moneyTargets[0]?.currency;
      const money =
        currency && moneyTargets.every((target) => target.currency === currency)
          ? { amount: moneyTargets.reduce((sum, target) => sum + (target.amount ?? 0), 0), currency }
          : undefined;
      const notify = (input as { notify?: boolean }).notify === true;
      const preview: Preview = {
        summary: `${definition.summary(input, targets)}${notify ? `, and notify ${customers.length} customer${customers.length === 1 ? '' : 's'} (approval needed)` : ''}`,
        changes: [
          ...targets.map((target) => ({ field: target.customerId, from: null, to: target.label })),
          // The notification each customer would get, as the broadcast proposed alongside will render it.
          ...(notify
            ? [
                {
                  field: 'customer notification (its own approval)',
                  from: null,
                  to: notificationTemplate(definition.name, input),
                },
              ]
            : []),
        ],
        money: money ?? null,
        customers: customers.map((id) => ({
          id,
          name: targets.find((target) => target.customerId === id)?.customerName ?? id,
        })),
        targets: targets.map((target) => Object.values(target.ids).join(':')),
        reversible: !definition.destructive,
        details: { count: targets.length, rate: definition.rate?.(input) ?? DEFAULT_RATE },
      };
      return {
        decision: {
          customerIds: customers,
          targetCount: targets.length,
          reversible: !definition.destructive,
          // Caps and daily limits are about money leaving the business; a retry collects, it does not pay out.
          ...(money && definition.kind.startsWith('money.') ? { money } : {}),
        },
        preview,
        subjects: {},
        bound: {
          ...definition.bound(input),
          targets: targets.map((target) => ({
            customerId: target.customerId,
            label: target.label,
            ids: target.ids,
            ...(target.figures ? { figures: target.figures } : {}),
          })),
        },
      };
    },
    // `notify: true`: the customers' notification is proposed alongside, as its own messaging.broadcast.
    companion(input) {
      const fields = input as { notify?: boolean; template?: string; reason?: string; case_id?: string };
      if (fields.notify !== true) return undefined;
      return {
        operation: 'notify_customers',
        input: {
          ...(fields.template ? { template: fields.template } : {}),
          ...(fields.reason ? { reason: fields.reason } : {}),
          ...(fields.case_id ? { case_id: fields.case_id } : {}),
        },
      };
    },
    async execute(input, connector, idempotencyKey, bound, executor) {
      const targets = bound.targets as { customerId: string; label: string; ids: Record<string, string> }[];
      const jobId = newId('job');
      await executor
        .insertInto('bulkJobs')
        .values({
          id: jobId,
          orgId: connector.orgId,
          idempotencyKey,
          operation: definition.name,
          status: 'pending',
          total: targets.length,
          ratePerSecond: definition.rate?.(input) ?? DEFAULT_RATE,
          createdAt: new Date(),
        })
        .execute();
      for (let start = 0; start < targets.length; start += 500)
        await executor
          .insertInto('bulkJobTargets')
          .values(
            targets.slice(start, start + 500).map((target, offset) => ({
              jobId,
              position: start + offset,
              target: json(target),
              status: 'pending' as const,
            })),
          )
          .execute();
      return { jobId, total: targets.length };
    },
  };
}

/** The template a bulk action's notification uses: the one given, else the operation's default. */
function notificationTemplate(operation: string, input: unknown): string {
  const given = (input as { template?: string }).template;
  if (given) return given;
  return isBroadcastOperation(operation) ? BROADCAST_TEMPLATES[operation].template : '';
}

/** How a job stands. */
export interface JobReport {
  jobId: string;
  operation: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  failures: { position: number; label: string; error: string }[];
}

type Executor = Kysely<Database> | Transaction<Database>;

/** Reads a job's report. */
export async function jobReport(db: Executor, orgId: string, jobId: string): Promise<JobReport> {
  const job = await db
    .selectFrom('bulkJobs')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!job) throw new LeashError('not_found', `no job ${jobId}`, { resource: 'job', id: jobId });
  const failures = await db
    .selectFrom('bulkJobTargets')
    .select(['position', 'target', 'error'])
    .where('jobId', '=', jobId)
    .where('status', '=', 'failed')
    .orderBy('position')
    .limit(100)
    .execute();
  return {
    jobId,
    operation: job.operation,
    status: job.status,
    total: job.total,
    succeeded: job.succeeded,
    failed: job.failed,
    failures: failures.map((row) => ({
      position: row.position,
      label: String((row.target as { label?: string }).label ?? ''),
      error: row.error ?? '',
    })),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Works through a job's pending targets in order, at most `ratePerSecond` writes a second. Safe to call again
 * after a crash or a stop (`shouldStop`): it resumes where the job stands.
 */
export async function runBulkJob(
  context: OperationContext,
  jobId: string,
  options: { onProgress?: (done: number, total: number) => void; shouldStop?: () => boolean } = {},
): Promise<JobReport> {
  const orgId = context.actor.orgId;
  const job = await context.db
    .selectFrom('bulkJobs')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!job) throw new LeashError('not_found', `no job ${jobId}`, { resource: 'job', id: jobId });
  const definition = runners.get(job.operation) as BulkDefinition<unknown> | undefined;
  if (!definition)
    throw new LeashError('internal', `job ${jobId} runs ${job.operation}, which this build does not have`);
  const proposal = await context.db
    .selectFrom('proposals')
    .select(['id', 'input'])
    .where('orgId', '=', orgId)
    .where('id', '=', job.idempotencyKey.replace(/^leash_/, ''))
    .executeTakeFirst();
  if (!proposal) throw new LeashError('internal', `job ${jobId} has no proposal`);
  const input = definition.input.parse(proposal.input);
  await context.db
    .updateTable('bulkJobs')
    .set({ status: 'running', startedAt: job.startedAt ?? new Date() })
    .where('id', '=', jobId)
    .execute();
  const interval = 1000 / Math.max(0.1, job.ratePerSecond);
  let done = job.succeeded + job.failed;
  options.onProgress?.(done, job.total);
  const pending = await context.db
    .selectFrom('bulkJobTargets')
    .selectAll()
    .where('jobId', '=', jobId)
    .where('status', '=', 'pending')
    .orderBy('position')
    .execute();
  for (const row of pending) {
    if (options.shouldStop?.()) break;
    const started = performance.now();
    const stored = row.target as { ids: Record<string, string>; customerId: string; label: string };
    const target: BulkTarget = { customerId: stored.customerId, label: stored.label, ids: stored.ids };
    const key = `${job.idempotencyKey}:${row.position}`;
    const trail = {
      operation: job.operation,
      proposalId: proposal.id,
      subjects: { customerId: target.customerId || null },
    };
    let worked: boolean;
    try {
      worked = await context.db.transaction().execute(async (trx) => {
        if (!(await claimTarget(trx, jobId, row.position))) return false;
        const result = await definition.runTarget(context.connector(trx), target, input, key);
        await settleTarget(trx, jobId, row.position, 'succeeded', result, null);
        await recordStep(trx, context, 'execution.succeeded', {
          ...trail,
          arguments: { jobId, position: row.position, target: target.ids, idempotencyKey: key },
        });
        return true;
      });
    } catch (error) {
      if (!(error instanceof LeashError)) throw error;
      worked = await context.db.transaction().execute(async (trx) => {
        // Another worker may have taken the target since this one's attempt rolled back: it reports it, not us.
        if (!(await claimTarget(trx, jobId, row.position))) return false;
        await settleTarget(trx, jobId, row.position, 'failed', null, error.message);
        await recordStep(trx, context, 'execution.failed', {
          ...trail,
          arguments: { jobId, position: row.position, target: target.ids },
          result: { error: error.message, code: error.code },
        });
        return true;
      });
    }
    done += 1;
    options.onProgress?.(done, job.total);
    const wait = interval - (performance.now() - started);
    if (worked && wait > 0) await sleep(wait);
  }
  await settleJob(context.db, jobId);
  await notifySucceeded(context, proposal.id, job.operation);
  return jobReport(context.db, orgId, jobId);
}

/**
 * Queues the notifications of the targets that succeeded, when the org approved a broadcast for this job's
 * proposal (broadcast-queue.ts); none otherwise. Audited with the message ids, in the same transaction.
 */
async function notifySucceeded(context: OperationContext, proposalId: string, operation: string): Promise<void> {
  await context.db.transaction().execute(async (trx) => {
    const { broadcastId, queued } = await queueNotifications(trx, context.connector(trx), proposalId);
    if (queued.length === 0) return;
    await recordStep(trx, context, 'broadcast.queued', {
      operation,
      proposalId,
      arguments: { broadcastId, bulkProposalId: proposalId },
      result: { queued: queued.length, messages: queued },
    });
  });
}

/**
 * Claims a pending target for this transaction: its row stays locked until the transaction ends, so a worker
 * running the same job elsewhere skips it (`skip locked`) instead of writing a second `execution.succeeded`. A
 * target already settled, or held by another worker, is not claimed. A crash rolls the transaction back and
 * leaves the target pending for the next run; no lease to expire.
 */
async function claimTarget(trx: Transaction<Database>, jobId: string, position: number): Promise<boolean> {
  const claimed = await trx
    .selectFrom('bulkJobTargets')
    .select('position')
    .where('jobId', '=', jobId)
    .where('position', '=', position)
    .where('status', '=', 'pending')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return claimed !== undefined;
}

/**
 * Sets the job's counts and status from its targets. The job row is locked first, so of two workers finishing
 * together the later one counts after the earlier one's targets committed, and its status stands.
 */
async function settleJob(db: Kysely<Database>, jobId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.selectFrom('bulkJobs').select('id').where('id', '=', jobId).forUpdate().execute();
    const counts = await trx
      .selectFrom('bulkJobTargets')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('jobId', '=', jobId)
      .groupBy('status')
      .execute();
    const count = (status: string) => Number(counts.find((row) => row.status === status)?.n ?? 0);
    const remaining = count('pending');
    const status =
      remaining > 0 ? 'running' : count('failed') === 0 ? 'succeeded' : count('succeeded') === 0 ? 'failed' : 'partial';
    await trx
      .updateTable('bulkJobs')
      .set({
        status,
        succeeded: count('succeeded'),
        failed: count('failed'),
        ...(remaining === 0 ? { finishedAt: new Date() } : {}),
      })
      .where('id', '=', jobId)
      .execute();
  });
}

async function settleTarget(
  trx: Transaction<Database>,
  jobId: string,
  position: number,
  status: 'succeeded' | 'failed',
  result: unknown,
  error: string | null,
): Promise<void> {
  await trx
    .updateTable('bulkJobTargets')
    .set({ status, result: result === null ? null : json(result), error, finishedAt: new Date() })
    .where('jobId', '=', jobId)
    .where('position', '=', position)
    .where('status', '=', 'pending')
    .execute();
}
