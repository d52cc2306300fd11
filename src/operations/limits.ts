/**
 * Cumulative limits. What the gate compares is summed from the proposals themselves over a rolling 24 h window
 * (`rollingUsage`): per member, and per customer across all members. The per-day counter rows (member, kind,
 * UTC day, currency) are still kept and locked (`select … for update`) in the proposal's transaction, as the
 * record of each day's reservations; advisory locks on the member's and the customer's sums make parallel
 * proposals see each other's reservations. Amounts external agents validate through the gate (gate_decisions)
 * count in the same sums, under the same locks.
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

/** The proposal statuses that hold a reservation (the others released theirs). */
const RESERVING = ['awaiting_confirmation', 'awaiting_approval', 'executing', 'succeeded'] as const;

/** The window of the cumulative limits. */
export const LIMIT_WINDOW_HOURS = 24;

/**
 * What is reserved of one kind and currency in the 24 h before `at`, from the proposals themselves: by this
 * member, and for this customer by every member. A reservation counts from its last step (proposed, executing,
 * succeeded), so a refund proposed at 23:00 and executed at 01:00 counts until 01:00 the next day.
 * `excludeProposalId` leaves out the proposal being re-checked. Locks (advisory, for the transaction) the
 * member's and then the customer's sums, always in that order, so parallel proposals see each other.
 */
export async function rollingUsage(
  trx: Transaction<Database>,
  key: {
    orgId: string;
    memberId: string;
    kind: string;
    currency: string;
    customerId?: string | undefined;
    at: Date;
    excludeProposalId?: string | undefined;
  },
): Promise<{ member: number; customer: number | undefined }> {
  const lock = (scope: string) =>
    sql`select pg_advisory_xact_lock(hashtextextended(${`leash.limits:${key.orgId}:${scope}:${key.kind}:${key.currency}`}, 0))`.execute(
      trx,
    );
  const since = new Date(key.at.getTime() - LIMIT_WINDOW_HOURS * 3_600_000);
  const reserved = () => {
    let query = trx
      .selectFrom('proposals')
      .select(sql<string>`coalesce(sum(money_amount), 0)`.as('total'))
      .where('orgId', '=', key.orgId)
      .where('kind', '=', key.kind)
      .where('moneyCurrency', '=', key.currency)
      .where('reservedDay', 'is not', null)
      .where('status', 'in', RESERVING)
      .where('updatedAt', '>', since);
    if (key.excludeProposalId) query = query.where('id', '!=', key.excludeProposalId);
    return query;
  };
  // External agents' amounts through the gate (POST /api/gate/validate) count too: a PASS or WARN holds its amount
  // from validation while it may still be executed, and keeps it once executed successfully (docs/gate.md).
  const fromGate = () =>
    trx
      .selectFrom('gateDecisions')
      .select(
        sql<string>`coalesce(sum(case when payload->'ai_output'->>'amount' ~ '^[0-9]{1,15}$' then (payload->'ai_output'->>'amount')::bigint else 0 end), 0)`.as(
          'total',
        ),
      )
      .where('orgId', '=', key.orgId)
      .where('actionKind', '=', key.kind)
      .where(sql`lower(payload->'ai_output'->>'currency')`, '=', key.currency)
      .where(sql`coalesce(executed_at, created_at)`, '>', since)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['pass', 'pending_approval', 'approved']), eb('expiresAt', '>', key.at)]),
          eb.and([eb('status', '=', 'executed'), eb(sql`execution->>'status'`, '=', 'succeeded')]),
        ]),
      );
  await lock(`member:${key.memberId}`);
  const member = await reserved().where('requesterId', '=', key.memberId).executeTakeFirstOrThrow();
  const memberGate = await fromGate().where('requesterId', '=', key.memberId).executeTakeFirstOrThrow();
  const memberTotal = Number(member.total) + Number(memberGate.total);
  if (!key.customerId) return { member: memberTotal, customer: undefined };
  await lock(`customer:${key.customerId}`);
  const customer = await reserved()
    .where(sql`payload->'facts'->>'customerId'`, '=', key.customerId)
    .executeTakeFirstOrThrow();
  // The gate's customer is the agent's account_id (the same id when the agent acts on the same billing account).
  const customerGate = await fromGate()
    .where(sql`payload->'context'->>'account_id'`, '=', key.customerId)
    .executeTakeFirstOrThrow();
  return { member: memberTotal, customer: Number(customer.total) + Number(customerGate.total) };
}

/** The gate's view of the limits for one money action: `usedToday` (the member's 24 h) and `usedForCustomer`. */
export async function limitUsage(
  trx: Transaction<Database>,
  key: {
    orgId: string;
    memberId: string;
    kind: string;
    money: { currency: string } | undefined;
    customerIds: readonly string[];
    at: Date;
    excludeProposalId?: string | undefined;
  },
): Promise<{
  usedToday?: { amount: number; currency: string };
  usedForCustomer?: { amount: number; currency: string; customerId: string };
}> {
  if (!key.money) return {};
  const { currency } = key.money;
  // A customer aggregate needs one customer: a money action on several is a bulk job, approved as such.
  const customerId = key.customerIds.length === 1 ? key.customerIds[0] : undefined;
  const usage = await rollingUsage(trx, { ...key, currency, customerId });
  return {
    usedToday: { amount: usage.member, currency },
    ...(usage.customer !== undefined && customerId
      ? { usedForCustomer: { amount: usage.customer, currency, customerId } }
      : {}),
  };
}
