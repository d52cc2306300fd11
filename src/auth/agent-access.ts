/**
 * Agent access: a member's agents (MCP clients over HTTP or stdio, the built-in agent of conversations) act as the
 * member through the same gate, so a blocked attempt changes nothing. But an agent that keeps trying what the
 * policy blocks (a model following instructions planted in a memo, a runaway loop, someone probing) is stopped:
 * after `threshold` blocked attempts within `windowSeconds` on the agent channels, the member's agent access is
 * paused (audited `channel.stopped`) until an owner resumes it (`leash users resume-agent`, audited
 * `channel.resumed`). The member's own CLI, REST API and dashboard stay open. The attempts are counted from the
 * audit log and the stop is a row, so both hold across processes and restarts.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Database } from '../store/schema.ts';
import { findMemberByEmail, type Member, normaliseEmail } from './members.ts';

/** Who an agent acts for: a member, or an operations context's actor (`agentOf`). */
export type AgentMember = Pick<Member, 'id' | 'orgId' | 'email'> & { role: string };

/** The member an operations context's actor is. */
export function agentOf(actor: { memberId: string; orgId: string; email: string; role: string }): AgentMember {
  return { id: actor.memberId, orgId: actor.orgId, email: actor.email, role: actor.role };
}

type Executor = Kysely<Database> | Transaction<Database>;

/** The channels an agent acts on: MCP (HTTP and stdio) and the built-in agent. */
export const AGENT_CHANNELS = ['mcp', 'agent'] as const;

/** How many blocked attempts, within how long, stop a member's agent access. */
export interface AgentStopLimits {
  threshold: number;
  windowSeconds: number;
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** The limits: 10 blocked attempts in 15 minutes, or LEASH_AGENT_STOP_AFTER / LEASH_AGENT_STOP_WINDOW_MINUTES. */
export function agentStopLimits(env: NodeJS.ProcessEnv = process.env): AgentStopLimits {
  return {
    threshold: positive(env.LEASH_AGENT_STOP_AFTER, 10),
    windowSeconds: positive(env.LEASH_AGENT_STOP_WINDOW_MINUTES, 15) * 60,
  };
}

/** A stop as stored. */
interface Stop {
  stoppedAt: Date;
  blockedAttempts: number;
  windowSeconds: number;
  resumedAt: Date | null;
}

function pausedError(member: AgentMember, stop: Stop): LeashError {
  const minutes = Math.round(stop.windowSeconds / 60);
  return new LeashError(
    'forbidden',
    `your agent access is paused after ${stop.blockedAttempts} blocked attempts in ${minutes} minutes; an owner can re-enable it (leash users resume-agent ${member.email})`,
    { pausedAt: stop.stoppedAt.toISOString() },
  );
}

/** The member's latest stop, open or resumed. */
async function latestStop(db: Executor, member: AgentMember): Promise<Stop | undefined> {
  return db
    .selectFrom('agentChannelStops')
    .select(['stoppedAt', 'blockedAttempts', 'windowSeconds', 'resumedAt'])
    .where('orgId', '=', member.orgId)
    .where('memberId', '=', member.id)
    .orderBy('stoppedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Blocked attempts by the member on the agent channels since `since`: decisions that came to BLOCK (including
 * refused attempts on unknown or other orgs' ids) and agent calls refused before the pipeline.
 */
export async function countBlockedAttempts(db: Executor, member: AgentMember, since: Date): Promise<number> {
  const row = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('orgId', '=', member.orgId)
    .where('actorId', '=', member.id)
    .where('channel', 'in', [...AGENT_CHANNELS])
    .where('at', '>', since)
    .where((eb) =>
      eb.or([
        eb('event', '=', 'agent.call_refused'),
        eb.and([eb('event', '=', 'decision.made'), eb(sql<string>`decision->>'outcome'`, '=', 'block')]),
      ]),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Pauses the member's agent access (once, however many processes see the threshold at the same moment). */
async function stopAgentAccess(
  db: Kysely<Database>,
  member: AgentMember,
  channel: string,
  blockedAttempts: number,
  limits: AgentStopLimits,
): Promise<Stop> {
  return db.transaction().execute(async (trx) => {
    const stop = { stoppedAt: new Date(), blockedAttempts, windowSeconds: limits.windowSeconds, resumedAt: null };
    const inserted = await trx
      .insertInto('agentChannelStops')
      .values({ id: newId('agentStop'), orgId: member.orgId, memberId: member.id, ...stop })
      .onConflict((conflict) => conflict.columns(['orgId', 'memberId']).where('resumedAt', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return (await latestStop(trx, member)) ?? stop;
    await appendAuditEvent(trx, {
      orgId: member.orgId,
      event: 'channel.stopped',
      actorId: member.id,
      actorEmail: member.email,
      actorRole: member.role,
      channel,
      result: {
        channels: AGENT_CHANNELS,
        blockedAttempts,
        threshold: limits.threshold,
        windowSeconds: limits.windowSeconds,
      },
    });
    return stop;
  });
}

/**
 * Lets an agent act for the member on `channel`, or refuses (`forbidden`, naming why and who can re-enable it):
 * when their agent access is paused, or when this check finds the threshold reached and pauses it. Blocked
 * attempts before the last resume do not count again.
 */
export async function checkAgentAccess(
  db: Kysely<Database>,
  member: AgentMember,
  channel: string,
  limits: AgentStopLimits = agentStopLimits(),
): Promise<void> {
  const latest = await latestStop(db, member);
  if (latest && latest.resumedAt === null) throw pausedError(member, latest);
  const windowStart = new Date(Date.now() - limits.windowSeconds * 1000);
  const since = latest?.resumedAt && latest.resumedAt > windowStart ? latest.resumedAt : windowStart;
  const blocked = await countBlockedAttempts(db, member, since);
  if (blocked < limits.threshold) return;
  throw pausedError(member, await stopAgentAccess(db, member, channel, blocked, limits));
}

/** The ids of the org's members whose agent access is paused now. */
export async function pausedAgentMembers(db: Executor, orgId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('agentChannelStops')
    .select('memberId')
    .where('orgId', '=', orgId)
    .where('resumedAt', 'is', null)
    .execute();
  return new Set(rows.map((row) => row.memberId));
}

/** What resuming did. */
export interface AgentAccessResumed {
  email: string;
  stoppedAt: Date;
  blockedAttempts: number;
  resumedAt: Date;
}

/** An owner resumes a member's paused agent access (audited `channel.resumed`). */
export async function resumeAgentAccess(
  db: Kysely<Database>,
  owner: Member,
  email: string,
  channel = 'cli',
): Promise<AgentAccessResumed> {
  if (owner.role !== 'owner')
    throw new LeashError('forbidden', "only an owner resumes a member's agent access", { field: 'as' });
  const normalised = normaliseEmail(email);
  return db.transaction().execute(async (trx) => {
    const member = await findMemberByEmail(trx, owner.orgId, normalised);
    if (!member) throw new LeashError('not_found', `no member ${normalised}`, { resource: 'member', id: normalised });
    const resumedAt = new Date();
    const resumed = await trx
      .updateTable('agentChannelStops')
      .set({ resumedAt, resumedBy: owner.id })
      .where('orgId', '=', owner.orgId)
      .where('memberId', '=', member.id)
      .where('resumedAt', 'is', null)
      .returning(['stoppedAt', 'blockedAttempts'])
      .executeTakeFirst();
    if (!resumed) throw new LeashError('invalid_state', `${normalised}'s agent access is not paused`);
    await appendAuditEvent(trx, {
      orgId: owner.orgId,
      event: 'channel.resumed',
      actorId: owner.id,
      actorEmail: owner.email,
      actorRole: owner.role,
      channel,
      arguments: { email: normalised, memberId: member.id },
      result: { channels: AGENT_CHANNELS, stoppedAt: resumed.stoppedAt, blockedAttempts: resumed.blockedAttempts },
    });
    return { email: normalised, stoppedAt: resumed.stoppedAt, blockedAttempts: resumed.blockedAttempts, resumedAt };
  });
}
