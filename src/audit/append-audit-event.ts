/**
 * Appends one event to an org's chain, in the caller's transaction (so the event commits with the change it
 * describes). The org's head row is locked first, so concurrent transactions extend the chain one at a time.
 */
import type { Kysely, Transaction } from 'kysely';
import { toJsonData } from '../domain/canonical-json.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import { type AuditEventName, GENESIS_HASH, isAuditEventName } from './events.ts';
import { type HashedAuditFields, hashAuditEvent } from './hash-event.ts';
import { redactSecrets } from './redact.ts';

/** What a caller says about an event; id, seq, time and hashes are added here. */
export interface AuditEventInput {
  orgId: string;
  event: AuditEventName;
  actorId?: string | null;
  actorEmail?: string | null;
  actorRole?: string | null;
  channel: string;
  requestId?: string | null;
  proposalId?: string | null;
  operation?: string | null;
  customerId?: string | null;
  invoiceId?: string | null;
  chargeId?: string | null;
  arguments?: unknown;
  decision?: unknown;
  result?: unknown;
  userInput?: string | null;
}

/** A stored audit event. */
export type AuditEvent = HashedAuditFields & { hash: string };

async function appendInTransaction(trx: Transaction<Database>, input: AuditEventInput): Promise<AuditEvent> {
  await trx
    .insertInto('auditHeads')
    .values({ orgId: input.orgId, seq: 0, hash: GENESIS_HASH })
    .onConflict((conflict) => conflict.column('orgId').doNothing())
    .execute();
  const head = await trx
    .selectFrom('auditHeads')
    .select(['seq', 'hash'])
    .where('orgId', '=', input.orgId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const fields: HashedAuditFields = {
    id: newId('audit'),
    orgId: input.orgId,
    seq: head.seq + 1,
    // Millisecond precision: what the hash covers must survive the round trip through timestamptz.
    at: new Date(Math.floor(Date.now())),
    event: input.event,
    actorId: input.actorId ?? null,
    actorEmail: input.actorEmail ?? null,
    actorRole: input.actorRole ?? null,
    channel: input.channel,
    requestId: input.requestId ?? null,
    proposalId: input.proposalId ?? null,
    operation: input.operation ?? null,
    customerId: input.customerId ?? null,
    invoiceId: input.invoiceId ?? null,
    chargeId: input.chargeId ?? null,
    arguments: redactSecrets(toJsonData(input.arguments ?? null)),
    decision: redactSecrets(toJsonData(input.decision ?? null)),
    result: redactSecrets(toJsonData(input.result ?? null)),
    userInput: input.userInput ?? null,
    prevHash: head.hash,
  };
  const hash = hashAuditEvent(fields);
  await trx
    .insertInto('auditEvents')
    .values({
      ...fields,
      arguments: json(fields.arguments),
      decision: json(fields.decision),
      result: json(fields.result),
      hash,
    })
    .execute();
  await trx.updateTable('auditHeads').set({ seq: fields.seq, hash }).where('orgId', '=', input.orgId).execute();
  return { ...fields, hash };
}

/** Appends an event; opens a transaction of its own when the executor is not one already. */
export async function appendAuditEvent(
  executor: Kysely<Database> | Transaction<Database>,
  input: AuditEventInput,
): Promise<AuditEvent> {
  if (!isAuditEventName(input.event)) throw new LeashError('internal', `unknown audit event ${String(input.event)}`);
  if (executor.isTransaction) return appendInTransaction(executor as Transaction<Database>, input);
  return executor.transaction().execute((trx) => appendInTransaction(trx, input));
}
