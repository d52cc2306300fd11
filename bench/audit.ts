/**
 * The audit log's costs (ADR 0003, ADR 0015), each next to its baseline in the same run and store:
 *
 *   plain insert      one autocommit INSERT of the same row into a table like audit_events (same columns, keys and
 *                     indexes; no chain, no head)
 *   unsigned append   the chain without signatures: one statement reads the org's last row, links with sha256
 *                     and inserts (a scratch table of the same shape; no head row since ADR 0023)
 *   signed append     `appendAuditEvent`: body hash and Ed25519 signature in process, one INSERT into audit_events
 *                     whose trigger (migration 0040) locks the org's chain, reads its last row, computes the link
 *                     and checks it (target ≤ 1.5× the plain insert)
 *   batch appends     `appendAuditEvents`, 1,000 events per call (target ≥ 2,000 events/s)
 *   verify            `verifyAuditLog` over the whole chain: hashes, signatures, checkpoints (target ≥ 10,000/s)
 */
import { sql } from 'kysely';
import { appendAuditEvent, appendAuditEvents } from '../src/audit/append-audit-event.ts';
import { bindAuditStore } from '../src/audit/audit-setup.ts';
import { flushAuditCheckpoints, writeCheckpoint } from '../src/audit/checkpoints.ts';
import { GENESIS_HASH } from '../src/audit/events.ts';
import { hashAuditBody } from '../src/audit/hash-event.ts';
import { verifyAuditLog } from '../src/audit/verify-audit-chain.ts';
import { newId } from '../src/domain/ids.ts';
import type { Store } from '../src/store/db.ts';
import { perSecond, printTable } from './stats.ts';

const auditEvent = (orgId: string, index: number) => ({
  orgId,
  event: 'data.read' as const,
  actorId: 'mem_bench',
  actorEmail: 'bench@northwind.test',
  actorRole: 'billing_clerk',
  channel: 'cli',
  requestId: `req_${index}`,
  operation: 'get_invoice',
  customerId: `cus_${index % 1000}`,
  invoiceId: `in_${index}`,
  arguments: { number: `INV-${String(index).padStart(6, '0')}` },
  decision: { outcome: 'pass', reasons: [] },
  result: { rows: 1 },
});

/** The audit figures of one store. */
export interface AuditFigures {
  plainInsertPerSecond: number;
  unsignedAppendPerSecond: number;
  signedAppendPerSecond: number;
  /** Signed single append time over plain insert time. */
  signedCostRatio: number;
  unsignedCostRatio: number;
  batchedAppendPerSecond: number;
  verifyRows: number;
  verifyPerSecond: number;
  verifySeconds: number;
}

/** A table like audit_events (same columns, keys and indexes), without its chain, head or triggers. */
const SCRATCH = 'create table bench_audit_plain (like audit_events including all)';

async function timed(count: number, work: (index: number) => Promise<unknown>): Promise<number> {
  if (count <= 0) return 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await work(index);
  return performance.now() - started;
}

/** Creates the scratch tables of the two baselines (same shape as audit_events). */
async function createScratch(store: Store): Promise<void> {
  await sql.raw(SCRATCH).execute(store.db);
  await sql.raw(SCRATCH.replace('bench_audit_plain', 'bench_audit_unsigned')).execute(store.db);
}

async function dropScratch(store: Store): Promise<void> {
  for (const table of ['bench_audit_plain', 'bench_audit_unsigned'])
    await sql`drop table if exists ${sql.id(table)}`.execute(store.db);
}

/** A signature's size (Ed25519, base64url) and a key id, so the plain insert writes the row the append writes. */
const SIGNATURE = 'x'.repeat(86);
const KEY_ID = 'key_bench0000000000000000';

/**
 * One plain autocommit insert of the whole row the signed append writes (every column, the null ones included,
 * with a signature and key id of the real sizes), into a table of the same shape.
 */
function plainInsert(store: Store, orgId: string, index: number) {
  const event = auditEvent(orgId, index);
  return sql`insert into bench_audit_plain (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel,
    request_id, proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result, user_input,
    prev_hash, hash, key_id, signature)
    values (${newId('audit')}, ${orgId}, ${index + 1}, ${new Date()}::timestamptz, ${event.event}, ${event.actorId},
    ${event.actorEmail}, ${event.actorRole}, ${event.channel}, ${event.requestId}, ${null}, ${event.operation},
    ${event.customerId}, ${event.invoiceId}, ${null}, ${JSON.stringify(event.arguments)}::jsonb,
    ${JSON.stringify(event.decision)}::jsonb, ${JSON.stringify(event.result)}::jsonb, ${null}, ${GENESIS_HASH},
    ${GENESIS_HASH}, ${KEY_ID}, ${SIGNATURE})`.execute(store.db);
}

/** One unsigned append: one statement links to the org's last row with sha256 and inserts (no head row). */
function unsignedAppend(store: Store, orgId: string, index: number) {
  const event = auditEvent(orgId, index);
  const at = new Date(Math.floor(Date.now()));
  const id = newId('audit');
  const bodyHash = hashAuditBody({ ...event, id, at, proposalId: null, chargeId: null, userInput: null });
  return sql`
    with last as (
      select coalesce(max(seq), 0) as seq, coalesce(max(hash), ${GENESIS_HASH}) as hash from (
        select seq, hash from bench_audit_unsigned where org_id = ${orgId} order by seq desc limit 1) l),
    next as (select seq + 1 as seq, hash as prev,
      encode(sha256(convert_to(hash || ':' || (seq + 1)::text || ':' || ${bodyHash}::text, 'UTF8')), 'hex') as hash
      from last)
    insert into bench_audit_unsigned (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel,
      request_id, operation, customer_id, invoice_id, arguments, decision, result, prev_hash, hash)
    select ${id}, ${orgId}, next.seq, ${at}::timestamptz, ${event.event}, ${event.actorId},
      ${event.actorEmail}, ${event.actorRole}, ${event.channel}, ${event.requestId}, ${event.operation},
      ${event.customerId}, ${event.invoiceId}, ${JSON.stringify(event.arguments)}::jsonb,
      ${JSON.stringify(event.decision)}::jsonb, ${JSON.stringify(event.result)}::jsonb, next.prev, next.hash
    from next`.execute(store.db);
}

/** Rounds the three single-row kinds alternate in, so a busy machine weighs on each alike. */
const ROUNDS = 10;

/** Measures `appends` single appends of each kind, then batch appends up to `chainLength`, then verify. */
export async function measureAudit(
  store: Store,
  appends: number,
  chainLength: number,
  onProgress?: (progress: { phase: string; done: number; total: number }) => void,
): Promise<AuditFigures> {
  const orgId = 'org_bench_audit';
  // A scratch store's key and checkpoints stay in memory (nothing left in the data directory).
  bindAuditStore(store.db, 'memory');
  // Warm every path (statement plans, the key) before timing.
  await createScratch(store);
  let plainMs = 0;
  let unsignedMs = 0;
  let signedMs = 0;
  try {
    for (let index = 0; index < 50; index += 1) {
      await plainInsert(store, 'org_bench_warm', index);
      await appendAuditEvent(store.db, auditEvent('org_bench_warm', index));
    }
    const perRound = Math.ceil(appends / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const from = round * perRound;
      const count = Math.min(perRound, appends - from);
      plainMs += await timed(count, (index) => plainInsert(store, orgId, from + index));
      unsignedMs += await timed(count, (index) => unsignedAppend(store, orgId, from + index));
      signedMs += await timed(count, (index) => appendAuditEvent(store.db, auditEvent(orgId, from + index)));
    }
  } finally {
    await dropScratch(store);
  }

  const BATCH = 1_000;
  const batchedStarted = performance.now();
  for (let done = appends; done < chainLength; done += BATCH) {
    const end = Math.min(chainLength, done + BATCH);
    await appendAuditEvents(
      store.db,
      Array.from({ length: end - done }, (_, offset) => auditEvent(orgId, done + offset)),
    );
    onProgress?.({ phase: 'building a signed audit chain to verify', done: end, total: chainLength });
  }
  const batchedMs = performance.now() - batchedStarted;
  await writeCheckpoint(store.db, orgId);
  const verifyStarted = performance.now();
  const verdict = await verifyAuditLog(store.db, orgId);
  const verifyMs = performance.now() - verifyStarted;
  await flushAuditCheckpoints(store.db);
  if (!verdict.ok || verdict.rows !== chainLength || verdict.checkpoints.latestSeq !== chainLength)
    throw new Error(`the bench chain did not verify: ${JSON.stringify(verdict)}`);
  return {
    plainInsertPerSecond: perSecond(appends, plainMs),
    unsignedAppendPerSecond: perSecond(appends, unsignedMs),
    signedAppendPerSecond: perSecond(appends, signedMs),
    signedCostRatio: signedMs / plainMs,
    unsignedCostRatio: unsignedMs / plainMs,
    batchedAppendPerSecond: perSecond(chainLength - appends, batchedMs),
    verifyRows: verdict.rows,
    verifyPerSecond: perSecond(verdict.rows, verifyMs),
    verifySeconds: verifyMs / 1000,
  };
}

const met = (yes: boolean) => (yes ? 'met' : 'MISSED');

/** The audit table of a run: one row per store. */
export function printAuditFigures(figures: readonly (AuditFigures & { store: string })[]): void {
  printTable(
    [
      'store',
      'plain insert/s',
      'unsigned append/s',
      'signed append/s',
      'signed cost',
      'batch appends/s',
      'verify events/s',
      'targets (≤ 1.5×, ≥ 2,000/s, ≥ 10,000/s)',
    ],
    figures.map((row) => [
      row.store,
      row.plainInsertPerSecond.toLocaleString('en-US'),
      `${row.unsignedAppendPerSecond.toLocaleString('en-US')} (${row.unsignedCostRatio.toFixed(2)}×)`,
      row.signedAppendPerSecond.toLocaleString('en-US'),
      `${row.signedCostRatio.toFixed(2)}×`,
      row.batchedAppendPerSecond.toLocaleString('en-US'),
      `${row.verifyPerSecond.toLocaleString('en-US')} (${row.verifySeconds.toFixed(1)} s)`,
      `${met(row.signedCostRatio <= 1.5)}, ${met(row.batchedAppendPerSecond >= 2_000)}, ${met(row.verifyPerSecond >= 10_000)}`,
    ]),
  );
}
