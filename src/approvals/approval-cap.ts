/**
 * A cap on approval requests per member, so one member (or their agent) cannot bury the approvers: at most
 * `open` requests waiting at once (pending, not yet expired) and at most `perHour` created in the last hour.
 * A proposal past the cap is refused (`rate_limited`, naming the limit) before its request exists; the refusal
 * is audited like every refused attempt. Checked under a per-member lock, so concurrent proposals cannot all
 * slip under it.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { LeashError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';

/** The caps. */
export interface ApprovalCaps {
  open: number;
  perHour: number;
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** 20 waiting and 60 an hour per member, or LEASH_MAX_OPEN_APPROVALS / LEASH_MAX_APPROVALS_PER_HOUR. */
export function approvalCaps(env: NodeJS.ProcessEnv = process.env): ApprovalCaps {
  return {
    open: positive(env.LEASH_MAX_OPEN_APPROVALS, 20),
    perHour: positive(env.LEASH_MAX_APPROVALS_PER_HOUR, 60),
  };
}

/** Refuses a new approval request by `requesterId` when it would pass a cap. Call inside the proposal's transaction. */
export async function checkApprovalCapacity(
  trx: Kysely<Database> | Transaction<Database>,
  input: { orgId: string; requesterId: string; now: Date },
  caps: ApprovalCaps = approvalCaps(),
): Promise<void> {
  // Held to the transaction's end: the next proposal by the same member counts this one's request.
  await sql`select pg_advisory_xact_lock(hashtext(${`approval-cap:${input.orgId}:${input.requesterId}`}))`.execute(trx);
  const requests = () =>
    trx
      .selectFrom('approvalRequests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('orgId', '=', input.orgId)
      .where('requesterId', '=', input.requesterId);
  const waiting = await requests()
    .where('status', '=', 'pending')
    .where('expiresAt', '>', input.now)
    .executeTakeFirst();
  const recent = await requests()
    .where('createdAt', '>', new Date(input.now.getTime() - 3_600_000))
    .executeTakeFirst();
  const open = Number(waiting?.n ?? 0);
  const lastHour = Number(recent?.n ?? 0);
  if (open >= caps.open)
    throw new LeashError(
      'rate_limited',
      `you have ${open} approval requests waiting; at most ${caps.open} may wait per member at once: wait for approvers to decide some (or for them to expire) before asking for more`,
      { field: 'approval', limit: caps.open },
    );
  if (lastHour >= caps.perHour)
    throw new LeashError(
      'rate_limited',
      `you asked for ${lastHour} approvals in the last hour; at most ${caps.perHour} per member an hour: try again later`,
      { field: 'approval', limit: caps.perHour },
    );
}
