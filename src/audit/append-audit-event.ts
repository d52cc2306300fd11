/**
 * Appends one event to an org's hash chain: one SQL statement locks the org's head, adds the row linked to it
 * and moves the head, in the caller's transaction when there is one.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { toJsonData } from '../domain/canonical-json.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import { type AuditEventName, GENESIS_HASH, isAuditEventName } from './events.ts';
import { type AuditBody, chainHash, type HashedAuditFields, hashAuditBody } from './hash-event.ts';
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

/**
 * Adds the row and moves the org's head in one statement: the head row is locked (so concurrent writers extend
 * the chain one at a time), the row is linked with PostgreSQL's sha256 (the twin of `chainHash`), and the head
 * moves to it. No row comes back when the org has no head yet.
 */
async function linkAndInsert(
  executor: Kysely<Database> | Transaction<Database>,
  body: AuditBody,
  bodyHash: string,
): Promise<{ seq: number; prev: string; hash: string } | undefined> {
  const result = await sql<{ seq: number; prev: string; hash: string }>`
    with head as (
      select seq, hash from audit_heads where org_id = ${body.orgId} for update
    ), next as (
      select seq + 1 as seq, hash as prev,
        encode(sha256(convert_to(hash || ':' || (seq + 1)::text || ':' || ${bodyHash}::text, 'UTF8')), 'hex') as hash
      from head
    ), appended as (
      insert into audit_events (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel, request_id,
        proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result, user_input,
        prev_hash, hash)
      select ${body.id}, ${body.orgId}, next.seq, ${body.at}::timestamptz, ${body.event}, ${body.actorId}::text,
        ${body.actorEmail}::text, ${body.actorRole}::text, ${body.channel}, ${body.requestId}::text,
        ${body.proposalId}::text, ${body.operation}::text, ${body.customerId}::text, ${body.invoiceId}::text,
        ${body.chargeId}::text, ${json(body.arguments)}::jsonb, ${json(body.decision)}::jsonb,
        ${json(body.result)}::jsonb, ${body.userInput}::text, next.prev, next.hash
      from next
      returning seq, prev_hash, hash
    )
    update audit_heads set seq = appended.seq, hash = appended.hash
    from appended where audit_heads.org_id = ${body.orgId}
    returning appended.seq as seq, appended.prev_hash as prev, appended.hash as hash`.execute(executor);
  const [row] = result.rows;
  return row ? { seq: Number(row.seq), prev: row.prev, hash: row.hash } : undefined;
}

/** The row an input becomes, before it has a place in the chain. */
function toBody(input: AuditEventInput): AuditBody {
  if (!isAuditEventName(input.event)) throw new LeashError('internal', `unknown audit event ${String(input.event)}`);
  return {
    id: newId('audit'),
    orgId: input.orgId,
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
  };
}

async function append(executor: Kysely<Database> | Transaction<Database>, input: AuditEventInput): Promise<AuditEvent> {
  const body = toBody(input);
  const bodyHash = hashAuditBody(body);
  let linked = await linkAndInsert(executor, body, bodyHash);
  if (!linked) {
    // The org's first event: create its head at the genesis hash, then link.
    await executor
      .insertInto('auditHeads')
      .values({ orgId: input.orgId, seq: 0, hash: GENESIS_HASH })
      .onConflict((conflict) => conflict.column('orgId').doNothing())
      .execute();
    linked = await linkAndInsert(executor, body, bodyHash);
  }
  if (!linked) throw new LeashError('internal', `the audit chain of ${input.orgId} has no head`);
  const event: AuditEvent = { ...body, seq: linked.seq, prevHash: linked.prev, hash: linked.hash };
  // The database linked the row; the same link computed here must agree, or the chain could not be verified.
  if (chainHash(linked.prev, linked.seq, bodyHash) !== linked.hash)
    throw new LeashError('internal', "the audit chain hash computed by the store differs from Leash's");
  return event;
}

/**
 * Appends an event in the caller's transaction (so it commits with the change it describes), or on its own:
 * one statement, atomic by itself.
 */
export async function appendAuditEvent(
  executor: Kysely<Database> | Transaction<Database>,
  input: AuditEventInput,
): Promise<AuditEvent> {
  return append(executor, input);
}

/** Rows per insert statement (21 columns each: well under PostgreSQL's 65,535 parameters). */
const APPEND_CHUNK = 500;

/**
 * Appends many events of one org in order, in one transaction (the caller's, or one of its own): the head is
 * locked once, the rows are linked here and written with one multi-row insert that also moves the head. For
 * bulk work that records an event per target.
 */
export async function appendAuditEvents(
  executor: Kysely<Database> | Transaction<Database>,
  inputs: readonly AuditEventInput[],
): Promise<AuditEvent[]> {
  const bodies = inputs.map(toBody);
  const orgId = bodies[0]?.orgId;
  if (orgId === undefined) return [];
  if (bodies.some((body) => body.orgId !== orgId))
    throw new LeashError('internal', 'appendAuditEvents takes the events of one org');
  if (!executor.isTransaction) return executor.transaction().execute((trx) => appendAuditEvents(trx, inputs));
  // Creates the head on first use and locks it (the no-op update takes the row lock) until the transaction ends.
  const head = await executor
    .insertInto('auditHeads')
    .values({ orgId, seq: 0, hash: GENESIS_HASH })
    .onConflict((conflict) => conflict.column('orgId').doUpdateSet((eb) => ({ seq: eb.ref('auditHeads.seq') })))
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  let previous = { seq: Number(head.seq), hash: head.hash };
  const events: AuditEvent[] = bodies.map((body) => {
    const seq = previous.seq + 1;
    const event: AuditEvent = {
      ...body,
      seq,
      prevHash: previous.hash,
      hash: chainHash(previous.hash, seq, hashAuditBody(body)),
    };
    previous = { seq, hash: event.hash };
    return event;
  });
  for (let start = 0; start < events.length; start += APPEND_CHUNK) {
    const chunk = events.slice(start, start + APPEND_CHUNK);
    const last = chunk[chunk.length - 1] as AuditEvent;
    await executor
      .with('appended', (db) =>
        db
          .insertInto('auditEvents')
          .values(
            chunk.map((event) => ({
              ...event,
              arguments: json(event.arguments),
              decision: json(event.decision),
              result: json(event.result),
            })),
          )
          .returning('seq'),
      )
      .updateTable('auditHeads')
      .set({ seq: last.seq, hash: last.hash })
      .where('orgId', '=', orgId)
      .execute();
  }
  return events;
}
