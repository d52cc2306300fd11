/**
 * Streams an org's whole audit log as JSON lines or CSV, batch by batch. The CSV is written by csv-stringify with
 * its formula guard (OWASP's CSV-injection rule): a text cell starting with `=`, `+`, `-`, `@`, a tab or a CR (or
 * their full-width forms) gets a leading `'`, so a ticket message such as `=HYPERLINK(…)` opens in a spreadsheet
 * as text, never as a formula. Numbers Leash writes itself (`seq`) stay numbers; every text cell is quoted.
 */
import { stringify } from 'csv-stringify/sync';
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

/** The CSV rows of a batch: JSON for objects, ISO 8601 for dates, formula-leading text neutralised. */
function csvRows(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows as unknown[][], {
    escape_formulas: true,
    quoted_string: true,
    cast: {
      date: (value) => value.toISOString(),
      object: (value) => JSON.stringify(value),
      boolean: (value) => String(value),
    },
  });
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Writes every event of `orgId` through `write`, oldest first. */
export async function exportAuditEvents(
  db: Kysely<Database>,
  orgId: string,
  format: 'jsonl' | 'csv',
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  if (format === 'csv') await write(stringify([COLUMNS.map(snake)]));
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
    await write(
      format === 'jsonl'
        ? rows
            .map(
              (row) => `${JSON.stringify(Object.fromEntries(COLUMNS.map((column) => [snake(column), row[column]])))}\n`,
            )
            .join('')
        : csvRows(rows.map((row) => COLUMNS.map((column) => row[column]))),
    );
    count += rows.length;
    afterSeq = rows.at(-1)?.seq ?? afterSeq;
  }
}
