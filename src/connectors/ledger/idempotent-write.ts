/** Runs a ledger write in a transaction (the caller's when it has one) under its idempotency key. */
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { once } from './idempotency.ts';
import type { Executor } from './ledger-reads.ts';

/** Runs `effect` once per key, inside a transaction. */
export function idempotent<T>(
  executor: Executor,
  input: { orgId: string; key: string; operation: string; request: unknown },
  effect: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const run = (trx: Transaction<Database>) => once(trx, input, () => effect(trx));
  return executor.isTransaction ? run(executor as Transaction<Database>) : executor.transaction().execute(run);
}
