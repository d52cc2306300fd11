/**
 * Appends events to an org's hash chain, signed (ADR 0015): the rows are linked here to the last row this process
 * saw (its "head"), each row hash is signed with the audit key (which the database never holds), and the database
 * locks the org's chain for the transaction, reads its last row, computes each link itself, checks it is the one
 * signed and adds the rows, in the caller's transaction when there is one: one row is one INSERT whose trigger
 * does that (migration 0040, ADR 0029), many rows one call of the SECURITY DEFINER function `leash_audit_append`
 * (migration 0024). There is no head row to move (ADR 0023). When the chain has moved on (another process or a
 * rolled-back transaction), nothing is written, the chain's end is read as it is, and the rows are linked and
 * signed again.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { toJsonData } from '../domain/canonical-json.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Database } from '../store/schema.ts';
import { type AuditSetup, auditSetupOf, type KnownHead } from './audit-setup.ts';
import { chainEnd, nextKeyAfter } from './chain-ends.ts';
import { noteAppended } from './checkpoints.ts';
import { type AuditEventName, GENESIS_HASH, isAuditEventName } from './events.ts';
import { type AuditBody, chainHash, type HashedAuditFields, hashAuditBody } from './hash-event.ts';
import { redactSecrets } from './redact.ts';
import { type AuditSigner, signRowHash } from './signing-key.ts';

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
export type AuditEvent = HashedAuditFields & { hash: string; keyId: string; signature: string };

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * What the append function answers: the chain's end after the rows, or its end as it is when it had moved on;
 * `key_id` is the key the next row must be signed by (the one a rotation row names, after one).
 */
interface AppendAnswer {
  ok: boolean;
  seq: number;
  hash: string;
  key_id: string | null;
}

/** Links `bodies` after `head` and signs each row hash. */
function linkAndSign(bodies: readonly AuditBody[], head: KnownHead, signer: AuditSigner) {
  let previous = { seq: head.seq, hash: head.hash };
  return bodies.map((body) => {
    const seq = previous.seq + 1;
    const bodyHash = hashAuditBody(body);
    const hash = chainHash(previous.hash, seq, bodyHash);
    const event: AuditEvent = {
      ...body,
      seq,
      prevHash: previous.hash,
      hash,
      keyId: signer.keyId,
      signature: signRowHash(signer, hash),
    };
    previous = { seq, hash };
    return { event, bodyHash };
  });
}

/** The rows as the append function reads them (jsonb_to_recordset, snake_case). */
function rowsParameter(rows: ReturnType<typeof linkAndSign>): string {
  return JSON.stringify(
    rows.map(({ event, bodyHash }, index) => ({
      n: index + 1,
      id: event.id,
      at: event.at.toISOString(),
      event: event.event,
      actor_id: event.actorId,
      actor_email: event.actorEmail,
      actor_role: event.actorRole,
      channel: event.channel,
      request_id: event.requestId,
      proposal_id: event.proposalId,
      operation: event.operation,
      customer_id: event.customerId,
      invoice_id: event.invoiceId,
      charge_id: event.chargeId,
      arguments: event.arguments,
      decision: event.decision,
      result: event.result,
      user_input: event.userInput,
      body_hash: bodyHash,
      hash: event.hash,
      signature: event.signature,
    })),
  );
}

/**
 * One row as one INSERT (migration 0040): the table's link trigger locks the org's chain, reads its last row,
 * and writes the row only when it is the next one and its hash is the link it computes. Answers the chain's end
 * after the row, or, when the trigger wrote nothing (the chain had moved on), its end as it is now.
 */
async function insertOne(
  executor: Executor,
  orgId: string,
  head: KnownHead,
  keyId: string,
  { event, bodyHash }: ReturnType<typeof linkAndSign>[number],
): Promise<AppendAnswer> {
  const result = await sql`insert into audit_events (id, org_id, seq, at, event, actor_id, actor_email, actor_role,
    channel, request_id, proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result,
    user_input, prev_hash, hash, key_id, signature, body_hash)
    values (${event.id}, ${orgId}, ${event.seq}, ${event.at.toISOString()}::timestamptz, ${event.event},
    ${event.actorId}, ${event.actorEmail}, ${event.actorRole}, ${event.channel}, ${event.requestId},
    ${event.proposalId}, ${event.operation}, ${event.customerId}, ${event.invoiceId}, ${event.chargeId},
    ${JSON.stringify(event.arguments)}::jsonb, ${JSON.stringify(event.decision)}::jsonb,
    ${JSON.stringify(event.result)}::jsonb, ${event.userInput}, ${head.hash}, ${event.hash}, ${keyId},
    ${event.signature}, ${bodyHash})`.execute(executor);
  if (Number(result.numAffectedRows ?? 0) === 1)
    return { ok: true, seq: event.seq, hash: event.hash, key_id: nextKeyAfter(event, keyId) };
  const end = await chainEnd(executor, orgId);
  return { ok: false, seq: end.seq, hash: end.hash, key_id: end.keyId };
}

async function callAppend(
  executor: Executor,
  orgId: string,
  head: KnownHead,
  keyId: string,
  rows: ReturnType<typeof linkAndSign>,
): Promise<AppendAnswer> {
  const result = await sql<{ answer: AppendAnswer }>`select leash_audit_append(${orgId}, ${head.seq}::bigint,
    ${head.hash}, ${keyId}, ${rowsParameter(rows)}::jsonb) as answer`.execute(executor);
  const answer = result.rows[0]?.answer;
  if (!answer) throw new LeashError('internal', `the audit chain of ${orgId} did not answer`);
  return { ...answer, seq: Number(answer.seq) };
}

/**
 * The key this process signs with, checked against the key the org's chain expects next: a key changed without
 * `leash audit rotate-key` (the file replaced, LEASH_AUDIT_SIGNING_KEY changed) is refused, after one look at
 * the key file in case another process rotated it.
 */
function signerFor(setup: AuditSetup, orgId: string, head: KnownHead, allowOtherKey: boolean): AuditSigner {
  const signer = setup.signer();
  if (allowOtherKey || head.keyId === null || head.keyId === signer.keyId) return signer;
  if (setup.reloadSigner() && setup.signer().keyId === head.keyId) return setup.signer();
  throw new LeashError(
    'unavailable',
    `the audit log of ${orgId} is signed with key ${head.keyId}, but this process holds key ${signer.keyId} (${signer.source}), which no \`leash audit rotate-key\` introduced: restore the key, or rotate with the old key in place`,
  );
}

/** How often the rows are linked again when other writers keep moving the head. */
const MAX_ATTEMPTS = 200;

/**
 * Appends `bodies` (one org) in order through the append function, linking again while the chain moves on. A
 * refusal (the chain moved on) took the org's lock, and a transaction keeps it: the next try links to the end it
 * was just told and cannot be overtaken. On its own (no transaction) the lock goes with the call, and under many
 * writers every try could be overtaken again (a read under 50 connections gave up after 200 tries), so after a
 * refusal the tries go on in a transaction of their own: at most two calls more.
 */
async function appendBodies(executor: Executor, orgId: string, bodies: readonly AuditBody[]): Promise<AuditEvent[]> {
  const appended = await tryAppending(executor, orgId, bodies, executor.isTransaction ? MAX_ATTEMPTS : 1);
  if (appended) return appended;
  const retried = await executor.transaction().execute((trx) => tryAppending(trx, orgId, bodies, MAX_ATTEMPTS));
  if (retried) return retried;
  throw new LeashError('unavailable', `the audit chain of ${orgId} kept moving: try again`);
}

/** Up to `attempts` calls of the append function; undefined when the chain moved on every time. */
async function tryAppending(
  executor: Executor,
  orgId: string,
  bodies: readonly AuditBody[],
  attempts: number,
): Promise<AuditEvent[] | undefined> {
  const setup = auditSetupOf(executor);
  let head: KnownHead = setup.heads.get(orgId) ?? { seq: 0, hash: GENESIS_HASH, keyId: null };
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const signer = signerFor(setup, orgId, head, false);
    const rows = linkAndSign(bodies, head, signer);
    const [only] = rows;
    const answer =
      rows.length === 1 && only
        ? await insertOne(executor, orgId, head, signer.keyId, only)
        : await callAppend(executor, orgId, head, signer.keyId, rows);
    const linkedTo = head;
    head = { seq: answer.seq, hash: answer.hash, keyId: answer.key_id };
    setup.heads.set(orgId, head);
    if (!answer.ok) {
      // The function refuses only a chain that moved on; the same end twice means the rows cannot link.
      if (linkedTo.seq === head.seq && linkedTo.hash === head.hash)
        throw new LeashError('internal', `the audit rows of ${orgId} do not link to the chain's last row`);
      continue;
    }
    const events = rows.map((row) => row.event);
    const last = events[events.length - 1] as AuditEvent;
    if (last.seq !== answer.seq || last.hash !== answer.hash)
      throw new LeashError('internal', "the audit chain hash computed by the store differs from Leash's");
    for (const event of events) noteAppended(executor, orgId, event.event, event.seq);
    return events;
  }
  return undefined;
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

/**
 * Appends an event in the caller's transaction (so it commits with the change it describes), or on its own:
 * one call of the append function, atomic by itself.
 */
export async function appendAuditEvent(executor: Executor, input: AuditEventInput): Promise<AuditEvent> {
  const [event] = await appendBodies(executor, input.orgId, [toBody(input)]);
  return event as AuditEvent;
}

/** Rows per call of the append function (its JSON stays a few hundred kilobytes). */
const APPEND_CHUNK = 500;

/**
 * Appends many events of one org in order, in one transaction (the caller's, or one of its own): the org's
 * chain is locked by the first call and stays locked, the rows are linked and signed here and written 500 per call. For bulk
 * work that records an event per target.
 */
export async function appendAuditEvents(executor: Executor, inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
  const bodies = inputs.map(toBody);
  const orgId = bodies[0]?.orgId;
  if (orgId === undefined) return [];
  if (bodies.some((body) => body.orgId !== orgId))
    throw new LeashError('internal', 'appendAuditEvents takes the events of one org');
  if (!executor.isTransaction) return executor.transaction().execute((trx) => appendAuditEvents(trx, inputs));
  const events: AuditEvent[] = [];
  for (let start = 0; start < bodies.length; start += APPEND_CHUNK)
    events.push(...(await appendBodies(executor, orgId, bodies.slice(start, start + APPEND_CHUNK))));
  return events;
}
