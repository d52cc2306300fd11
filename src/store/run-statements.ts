/** Runs a block of DDL one statement at a time (PGlite's extended protocol takes one statement per query). */
import { type Kysely, sql } from 'kysely';

/** Splits `text` on semicolons at line ends and runs each statement in order. */
export async function runStatements(db: Kysely<unknown>, text: string): Promise<void> {
  const statements = text
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
  for (const statement of statements) await sql.raw(statement).execute(db);
}
