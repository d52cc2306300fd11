/**
 * Verifies hash chains in bounded memory: row by row, seq must follow seq, prev_hash must be the previous
 * row's hash, and the recomputed hash must match. Names the first bad row.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { GENESIS_HASH } from './events.ts';
import { type HashedAuditFields, hashAuditEvent } from './hash-event.ts';

/** The verdict on the chain(s). */
export interface ChainVerdict {
  ok: boolean;
  rows: number;
  firstBadRow: { orgId: string; seq: number; id: string; reason: string } | null;
}

const BATCH = 2_000;

/** Verifies one org's chain (or every org's when `orgId` is omitted). */
export async function verifyAuditChain(
  db: Kysely<Database>,
  orgId?: string,
  onProgress?: (progress: { phase: string; done: number; total: number }) => void,
): Promise<ChainVerdict> {
  const orgs = orgId
    ? [orgId]
    : (await db.selectFrom('auditEvents').select('orgId').distinct().orderBy('orgId').execute()).map(
        (row) => row.orgId,
      );
  const total = Number(
    (
      await db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .$if(orgId !== undefined, (query) => query.where('orgId', '=', orgId as string))
        .executeTakeFirst()
    )?.count ?? 0,
  );
  let rows = 0;
  for (const org of orgs) {
    let expectedSeq = 1;
    let previousHash = GENESIS_HASH;
    for (;;) {
      const batch = await db
        .selectFrom('auditEvents')
        .selectAll()
        .where('orgId', '=', org)
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      if (batch.length === 0) break;
      for (const row of batch) {
        const bad = (reason: string): ChainVerdict => ({
          ok: false,
          rows,
          firstBadRow: { orgId: org, seq: row.seq, id: row.id, reason },
        });
        if (row.seq !== expectedSeq) return bad(`row ${expectedSeq} is missing (found ${row.seq} next)`);
        if (row.prevHash !== previousHash) return bad('prev_hash does not match the previous row');
        const { hash, ...fields } = row;
        if (hashAuditEvent(fields as HashedAuditFields) !== hash)
          return bad('hash does not match the row contents (altered)');
        previousHash = hash;
        expectedSeq += 1;
        rows += 1;
      }
      onProgress?.({ phase: 'verifying audit chain', done: rows, total });
    }
    const head = await db.selectFrom('auditHeads').select(['seq', 'hash']).where('orgId', '=', org).executeTakeFirst();
    if (head && (head.seq !== expectedSeq - 1 || head.hash !== previousHash)) {
      return {
        ok: false,
        rows,
        firstBadRow: {
          orgId: org,
          seq: expectedSeq,
          id: '',
          reason: `rows after ${expectedSeq - 1} are missing (the head is at ${head.seq})`,
        },
      };
    }
  }
  return { ok: true, rows, firstBadRow: null };
}
