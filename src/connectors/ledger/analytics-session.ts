/**
 * The session settings analytics queries run with, set for their transaction only (`set local`), so a pooled
 * PostgreSQL connection is left as it was.
 *
 * - **No JIT.** PostgreSQL compiles a plan whose estimated cost passes `jit_above_cost` (100,000): the insights'
 *   plans at 100k customers do, and compiling cost 67 ms of a 550 ms dunning query (EXPLAIN ANALYZE, 4 Dec 2026)
 *   for an execution of a few hundred milliseconds that it does not shorten. PGlite has no JIT; the setting is a no-op there.
 * - **Room to hash and aggregate** (`workMem`), for the queries over every invoice line: the default 4 MB sends a
 *   million-line join and its aggregation to disk in batches (11.2 s → 6.6 s on PGlite at 1.07M invoices).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Runs `query` in a transaction (the caller's, when it is one) with JIT off and, when given, `workMem`. */
export async function asAnalytics<T>(
  executor: Executor,
  query: (executor: Executor) => Promise<T>,
  options: { workMem?: '128MB' } = {},
): Promise<T> {
  const run = async (trx: Executor) => {
    await sql`set local jit = off`.execute(trx);
    if (options.workMem) await sql`select set_config('work_mem', ${options.workMem}, true)`.execute(trx);
    return query(trx);
  };
  return executor.isTransaction ? run(executor) : executor.transaction().execute(run);
}
