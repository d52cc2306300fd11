/**
 * Queues a bulk operation's customer notifications in the reply outbox (ADR 0005, ADR 0024): one message per
 * target whose change succeeded, once each, only after the broadcast was approved. Called from both ends, in
 * whichever order they happen: when the broadcast executes (targets already done get theirs) and when a bulk
 * job run ends (targets done since). Both first lock the bulk job's row, so the two never miss each other: the
 * later one sees the earlier one's commit. Each message is claimed first (`broadcast_messages`, keyed by the
 * broadcast and the target's position, with an idempotency key per target): a replay or a second run claims
 * nothing and queues nothing. Delivery is the outbox's (deliver-outbox.ts), never this code's.
 */
import type { Kysely, Transaction } from 'kysely';
import type { BillingConnector } from '../connectors/connector.ts';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import { type Figures, renderTemplate } from './broadcast-template.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** One message queued by a run. */
export interface QueuedNotification {
  messageId: string;
  customerId: string;
  position: number;
  idempotencyKey: string;
}

/** The bulk job's idempotency key for a proposal (define-bulk.ts keys a job by its proposal). */
export const jobKeyOf = (bulkProposalId: string) => `leash_${bulkProposalId}`;

/**
 * Queues the notification of every succeeded target of `bulkProposalId`'s job that has none yet, when the org
 * approved a broadcast for it. Run inside a transaction (the job row stays locked until it ends).
 */
export async function queueNotifications(
  trx: Executor,
  connector: BillingConnector,
  bulkProposalId: string,
): Promise<{ broadcastId: string | null; queued: QueuedNotification[] }> {
  const orgId = connector.orgId;
  const job = await trx
    .selectFrom('bulkJobs')
    .select('id')
    .where('orgId', '=', orgId)
    .where('idempotencyKey', '=', jobKeyOf(bulkProposalId))
    .forUpdate()
    .executeTakeFirst();
  const broadcast = await trx
    .selectFrom('broadcasts')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('bulkProposalId', '=', bulkProposalId)
    .executeTakeFirst();
  if (!broadcast || !job) return { broadcastId: broadcast?.id ?? null, queued: [] };
  const claimed = await trx
    .selectFrom('broadcastMessages')
    .select('position')
    .where('broadcastId', '=', broadcast.id)
    .execute();
  const done = new Set(claimed.map((row) => row.position));
  const succeeded = await trx
    .selectFrom('bulkJobTargets')
    .select(['position', 'target', 'finishedAt'])
    .where('jobId', '=', job.id)
    .where('status', '=', 'succeeded')
    .orderBy('position')
    .execute();
  const queued: QueuedNotification[] = [];
  const now = new Date();
  for (const row of succeeded) {
    if (done.has(row.position)) continue;
    const target = row.target as { customerId: string; figures?: Figures };
    const customer = await connector.getCustomer(target.customerId);
    if (!customer?.email) continue;
    const messageId = newId('message');
    const idempotencyKey = `${broadcast.idempotencyKey}:${row.position}`;
    // The claim first: a second run (or a replayed execution) finds it and queues nothing.
    const claim = await trx
      .insertInto('broadcastMessages')
      .values({
        broadcastId: broadcast.id,
        position: row.position,
        orgId,
        customerId: customer.id,
        idempotencyKey,
        messageId,
        createdAt: now,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('position')
      .executeTakeFirst();
    if (!claim) continue;
    const figures = { customer_name: customer.name, ...(target.figures ?? {}) };
    await trx
      .insertInto('messages')
      .values({
        id: messageId,
        orgId,
        customerId: customer.id,
        ticketId: null,
        toEmail: customer.email,
        subject: broadcast.subject,
        body: renderTemplate(broadcast.template, figures, row.finishedAt ?? now),
        findings: json([]),
        status: 'queued',
        createdBy: broadcast.createdBy,
        createdAt: now,
        queuedAt: now,
      })
      .execute();
    queued.push({ messageId, customerId: customer.id, position: row.position, idempotencyKey });
  }
  return { broadcastId: broadcast.id, queued };
}
