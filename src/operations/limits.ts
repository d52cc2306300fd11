/**
 * Cumulative daily limits: money reserved per member, kind, UTC day and currency. The counter row is locked
 * (`select … for update`) in the proposal's transaction, so parallel proposals see each other's reservations.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

/** The UTC day a reservation counts against. */
export function limitDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Locks this member's counter for the day and returns what is already reserved. */
export async function lockDailyTotal(
  trx: Transaction<Database>,
  key: { orgId: string; memberId: string; kind: string; day: string; currency: string },
): Promise<number> {
  await trx
    .insertInto('limitCounters')
    .values({ ...key, reserved: 0 })
    .onConflict((conflict) => conflict.columns(['orgId', 'memberId', 'kind', 'day', 'currency']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('limitCounters')
    .select('reserved')
    .where('orgId', '=', key.orgId)
    .where('memberId', '=', key.memberId)
    .where('kind', '=', key.kind)
    .where('day', '=', key.day)
    .where('currency', '=', key.currency)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return row.reserved;
}

/** Adds (or, with a negative amount, releases) a reservation on a counter. */
export async function adjustDailyTotal(
  trx: Transaction<Database>,
  key: { orgId: string; memberId: string; kind: string; day: string; currency: string },
  amount: number,
): Promise<void> {
  await trx
    .updateTable('limitCounters')
    .set({ reserved: sql`greatest(reserved + ${amount}, 0)` })
    .where('orgId', '=', key.orgId)
    .where('memberId', '=', key.memberId)
    .where('kind', '=', key.kind)
    .where('day', '=', key.day)
    .where('currency', '=', key.currency)
    .execute();
}
