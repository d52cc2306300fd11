/** Writes gate calls to the audit log with channel `gate`, the caller's identity and the agent's words as data. */
import type { Kysely, Transaction } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { AuditEventName } from '../audit/events.ts';
import type { Database } from '../store/schema.ts';
import { agentNameOf, GATE_CHANNEL, type GateCaller } from './gate-types.ts';

/** What one gate step records besides who, where and when. */
export interface GateTrailEntry {
  operation: string;
  arguments?: unknown;
  decision?: unknown;
  result?: unknown;
  /** The end user's words as the agent reported them (untrusted text, kept as data). */
  userInput?: string | null;
}

/** Appends one event for this caller, in the executor's transaction when there is one. */
export async function recordGateStep(
  executor: Kysely<Database> | Transaction<Database>,
  caller: Pick<GateCaller, 'actor' | 'requestId' | 'apiKey'>,
  event: AuditEventName,
  entry: GateTrailEntry,
): Promise<void> {
  await appendAuditEvent(executor, {
    orgId: caller.actor.orgId,
    event,
    actorId: caller.actor.memberId,
    actorEmail: caller.actor.email,
    actorRole: caller.actor.role,
    channel: GATE_CHANNEL,
    requestId: caller.requestId,
    operation: entry.operation,
    arguments: { agent: agentNameOf(caller), apiKeyId: caller.apiKey?.id ?? null, ...(entry.arguments ?? {}) },
    decision: entry.decision ?? null,
    result: entry.result ?? null,
    userInput: entry.userInput ?? null,
  });
}
