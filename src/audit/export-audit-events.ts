/** Streams an org's whole audit log as JSON lines or CSV, batch by batch. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

const COLUMNS = [
  'seq',
  'id',
  'at',
  'event',
  'actorId',
  'actorEmail',
  'actorRole',
  'channel',
  'requestId',
  'proposalId',
  'operation',
  'customerId',
  'invoiceId',
  'chargeId',
  'arguments',
  'decision',
  'result',
  'userInput',
  'prevHash',
  'hash',
] as const;

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Writes every event of `orgId` through `write`, oldest first. */
export async function exportAuditEvents(
  db: Kysely<Database>,
  orgId: string,
  format: 'jsonl' | 'csv',
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  if (format === 'csv') await write(`${COLUMNS.map(snake).join(',')}\n`);
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('auditEvents')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(2_000)
      .execute();
    if (rows.length === 0) return count;
    const lines = rows.map((row) =>
      format === 'jsonl'
        ? JSON.stringify(Object.fromEntries(COLUMNS.map((column) => [snake(column), row[column]])))
        : COLUMNS.map((column) => csvCell(row[column])).join(','),
    );
    await write(`${lines.join('\n')}\n`);
    count += rows.length;
    afterSeq = rows.at(-1)?.seq ?? afterSeq;
  }
}
