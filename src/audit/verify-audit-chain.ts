/**
 * Verifies the audit log in bounded memory (ADR 0003, ADR 0015): row by row, seq must follow seq, prev_hash must
 * be the previous row's hash, the recomputed hash must match, and the row must be signed by the key the log
 * expects (key-ring.ts). Then every signed checkpoint kept outside the database: the row at its seq must still
 * be there with its hash, and the chain must reach the latest one (rows cut off the end are found this way:
 * there is no head row to compare with, ADR 0023). Names the first bad row or missing range.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { auditSetupOf } from './audit-setup.ts';
import { auditedOrgs } from './chain-ends.ts';
import { type Checkpoint, checkpointMessage, type TrustedKey } from './checkpoint-sink.ts';
import { GENESIS_HASH } from './events.ts';
import { type HashedAuditFields, hashAuditEvent } from './hash-event.ts';
import { KeyRing } from './key-ring.ts';
import { type SignatureCheck, type SignatureChecker, signatureChecker } from './signature-pool.ts';
import { verifyText } from './signing-key.ts';

/** The first row (or range) found wrong. */
export interface BadRow {
  orgId: string;
  seq: number;
  id: string;
  reason: string;
}

/** The verdict on the chain(s). */
export interface ChainVerdict {
  ok: boolean;
  rows: number;
  firstBadRow: BadRow | null;
}

/** The verdict with the checkpoints it checked. */
export interface AuditVerdict extends ChainVerdict {
  checkpoints: { checked: number; latestSeq: number | null };
}

type Progress = (progress: { phase: string; done: number; total: number }) => void;

const BATCH = 2_000;

/** What walking one org's chain found. */
interface Walk {
  rows: number;
  lastSeq: number;
  lastHash: string;
  bad: BadRow | null;
  /** The hash of each checkpointed seq the walk passed. */
  seen: Map<number, { hash: string; id: string }>;
  ring: KeyRing;
}

/** A stored row as verify reads it. */
type StoredRow = HashedAuditFields & { hash: string; keyId: string | null; signature: string | null };

/**
 * The next BATCH rows of an org's chain after `afterSeq`. The columns are named in the query (camelCase), so the
 * rows skip the query builder's key conversion: reading is most of verify's time in this thread.
 */
async function readBatch(db: Kysely<Database>, org: string, afterSeq: number): Promise<StoredRow[]> {
  const { rows } = await sql<StoredRow>`select id, org_id as "orgId", seq, at, event, actor_id as "actorId",
      actor_email as "actorEmail", actor_role as "actorRole", channel, request_id as "requestId",
      proposal_id as "proposalId", operation, customer_id as "customerId", invoice_id as "invoiceId",
      charge_id as "chargeId", arguments, decision, result, user_input as "userInput", prev_hash as "prevHash",
      hash, key_id as "keyId", signature
    from audit_events where org_id = ${org} and seq > ${afterSeq} order by seq limit ${BATCH}`.execute(
    db.withoutPlugins(),
  );
  for (const row of rows) row.seq = Number(row.seq);
  return rows as StoredRow[];
}

/** Signature batches checked while the next ones are read and hashed. */
const IN_FLIGHT = 2;

/**
 * Walks one org's chain: structure and hashes here, row by row; signatures in batches by `checker`, up to
 * IN_FLIGHT batches behind. The first bad row is the earlier of the first structural fault and the first bad
 * signature.
 */
async function walkChain(
  db: Kysely<Database>,
  org: string,
  trusted: readonly TrustedKey[],
  checkpointSeqs: ReadonlySet<number>,
  checker: SignatureChecker,
  onRow: () => void,
): Promise<Walk> {
  const walk: Walk = {
    rows: 0,
    lastSeq: 0,
    lastHash: GENESIS_HASH,
    bad: null,
    seen: new Map(),
    ring: new KeyRing(trusted),
  };
  const inFlight: Promise<number[]>[] = [];
  let badSignature = Number.POSITIVE_INFINITY;
  const settle = async (all: boolean) => {
    while (inFlight.length > (all ? 0 : IN_FLIGHT - 1))
      for (const seq of await (inFlight.shift() as Promise<number[]>)) badSignature = Math.min(badSignature, seq);
  };
  try {
    while (!walk.bad && badSignature === Number.POSITIVE_INFINITY) {
      const batch = await readBatch(db, org, walk.lastSeq);
      if (batch.length === 0) break;
      const checks: SignatureCheck[] = [];
      for (const row of batch) {
        const bad = (reason: string) => {
          walk.bad = { orgId: org, seq: row.seq, id: row.id, reason };
        };
        const expectedSeq = walk.lastSeq + 1;
        if (row.seq !== expectedSeq) bad(`row ${expectedSeq} is missing (found ${row.seq} next)`);
        else if (row.prevHash !== walk.lastHash) bad('prev_hash does not match the previous row');
        else {
          const { hash, keyId: _keyId, signature: _signature, ...fields } = row;
          if (hashAuditEvent(fields as HashedAuditFields) !== hash)
            bad('hash does not match the row contents (altered)');
          else {
            const unsigned = walk.ring.admit(row, checks);
            if (unsigned) bad(unsigned);
          }
        }
        if (walk.bad) break;
        if (checkpointSeqs.has(row.seq)) walk.seen.set(row.seq, { hash: row.hash, id: row.id });
        walk.lastHash = row.hash;
        walk.lastSeq = row.seq;
        walk.rows += 1;
        onRow();
      }
      inFlight.push(checker.check(checks, walk.ring.keys));
      await settle(false);
    }
    await settle(true);
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (badSignature < (walk.bad?.seq ?? Number.POSITIVE_INFINITY)) {
    const row = await db
      .selectFrom('auditEvents')
      .select('id')
      .where('orgId', '=', org)
      .where('seq', '=', badSignature)
      .executeTakeFirst();
    walk.bad = {
      orgId: org,
      seq: badSignature,
      id: row?.id ?? '',
      reason: 'the signature does not match the row (rewritten after it was signed)',
    };
    walk.rows = badSignature - 1;
  }
  return walk;
}

/** The first checkpoint the walk contradicts (a bad signature, a different row, rows missing), if any. */
function checkCheckpoints(org: string, walk: Walk, checkpoints: readonly Checkpoint[]): BadRow | null {
  const limit = walk.bad ? walk.bad.seq : Number.POSITIVE_INFINITY;
  let first: BadRow | null = null;
  const keep = (found: BadRow) => {
    if (!first || found.seq < first.seq) first = found;
  };
  for (const checkpoint of checkpoints) {
    if (checkpoint.seq >= limit) continue;
    const { signature, ...unsigned } = checkpoint;
    const key = walk.ring.key(checkpoint.key_id);
    if (!key || !verifyText(key, checkpointMessage(unsigned), signature)) {
      keep({
        orgId: org,
        seq: checkpoint.seq,
        id: '',
        reason: `the checkpoint of ${checkpoint.at} at seq ${checkpoint.seq} has no valid signature (key ${checkpoint.key_id})`,
      });
      continue;
    }
    const row = walk.seen.get(checkpoint.seq);
    if (!row) {
      if (!walk.bad)
        keep({
          orgId: org,
          seq: walk.lastSeq + 1,
          id: '',
          reason: `rows ${walk.lastSeq + 1}–${checkpoint.seq} are missing: the checkpoint of ${checkpoint.at} saw the log at seq ${checkpoint.seq}`,
        });
    } else if (row.hash !== checkpoint.hash)
      keep({
        orgId: org,
        seq: checkpoint.seq,
        id: row.id,
        reason: `the row differs from the checkpoint of ${checkpoint.at}: the log was rewritten after it`,
      });
  }
  return first;
}

async function countRows(db: Kysely<Database>, orgId: string | undefined): Promise<number> {
  const counted = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .$if(orgId !== undefined, (query) => query.where('orgId', '=', orgId as string))
    .executeTakeFirst();
  return Number(counted?.count ?? 0);
}

/** Verifies one org's log (or every org's when `orgId` is omitted): rows, signatures and checkpoints. */
export async function verifyAuditLog(
  db: Kysely<Database>,
  orgId?: string,
  onProgress?: Progress,
): Promise<AuditVerdict> {
  const setup = auditSetupOf(db);
  const holding = setup.existingSigner();
  const trusted: TrustedKey[] = [
    ...setup.sink.keys(),
    ...(holding ? [{ key_id: holding.keyId, public_key: holding.publicKey, added_at: '' }] : []),
  ];
  // Every org with rows, and every org with checkpoints (its rows may all have been deleted).
  const orgs = orgId ? [orgId] : [...new Set([...(await auditedOrgs(db)), ...setup.sink.orgs()])].sort();
  const total = await countRows(db, orgId);
  const verdict: AuditVerdict = { ok: true, rows: 0, firstBadRow: null, checkpoints: { checked: 0, latestSeq: null } };
  const checker = signatureChecker(total);
  try {
    for (const org of orgs) await verifyOrg(org);
  } finally {
    await checker.close();
  }
  onProgress?.({ phase: 'verifying audit log', done: verdict.rows, total });
  return verdict;

  async function verifyOrg(org: string): Promise<void> {
    const checkpoints = setup.sink.read(org).filter((checkpoint) => Number.isSafeInteger(checkpoint.seq));
    verdict.checkpoints.checked += checkpoints.length;
    for (const checkpoint of checkpoints)
      verdict.checkpoints.latestSeq = Math.max(verdict.checkpoints.latestSeq ?? 0, checkpoint.seq);
    let done = verdict.rows;
    const walk = await walkChain(db, org, trusted, new Set(checkpoints.map((cp) => cp.seq)), checker, () => {
      done += 1;
      if (done % BATCH === 0) onProgress?.({ phase: 'verifying audit log', done, total });
    });
    verdict.rows += walk.rows;
    const contradicted = checkCheckpoints(org, walk, checkpoints);
    const bad = [walk.bad, contradicted]
      .filter((found): found is BadRow => found !== null)
      .sort((a, b) => a.seq - b.seq)[0];
    if (bad && verdict.ok) {
      verdict.ok = false;
      verdict.firstBadRow = bad;
    }
  }
}

/** Verifies one org's chain (or every org's): the verdict without the checkpoint figures. */
export async function verifyAuditChain(
  db: Kysely<Database>,
  orgId?: string,
  onProgress?: Progress,
): Promise<ChainVerdict> {
  const { ok, rows, firstBadRow } = await verifyAuditLog(db, orgId, onProgress);
  return { ok, rows, firstBadRow };
}
