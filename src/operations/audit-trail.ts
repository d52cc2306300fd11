/** Writes pipeline steps to the audit log with the context's identity, in the caller's transaction. */
import type { Kysely, Transaction } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { AuditEventName } from '../audit/events.ts';
import type { Database } from '../store/schema.ts';
import type { OperationContext, ReadSubjects } from './define-operation.ts';

/** What one pipeline step records besides who, where and when. */
export interface TrailEntry {
  operation?: string;
  proposalId?: string | null;
  subjects?: ReadSubjects;
  arguments?: unknown;
  decision?: unknown;
  result?: unknown;
}

/** Appends one event for this context (actor, channel, request id, user input from the session). */
export async function recordStep(
  executor: Kysely<Database> | Transaction<Database>,
  context: Pick<OperationContext, 'actor' | 'channel' | 'requestId' | 'userInput'>,
  event: AuditEventName,
  entry: TrailEntry,
): Promise<void> {
  await appendAuditEvent(executor, {
    orgId: context.actor.orgId,
    event,
    actorId: context.actor.memberId,
    actorEmail: context.actor.email,
    actorRole: context.actor.role,
    channel: context.channel,
    requestId: context.requestId,
    proposalId: entry.proposalId ?? null,
    operation: entry.operation ?? null,
    customerId: entry.subjects?.customerId ?? null,
    invoiceId: entry.subjects?.invoiceId ?? null,
    chargeId: entry.subjects?.chargeId ?? null,
    arguments: entry.arguments ?? null,
    decision: entry.decision ?? null,
    result: entry.result ?? null,
    userInput: context.userInput ?? null,
  });
}
