/**
 * list_activity: the org's latest activity from the audit log, newest first, each event in one line. The line
 * is built here from ids, names of operations and outcomes; free text (arguments, user input) is left out.
 */
import { z } from 'zod';
import { AUDIT_EVENTS } from '../audit/events.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import { defineRead } from './define-operation.ts';

/** Input of list_activity. */
export const listActivityInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(20),
    event: z.enum(AUDIT_EVENTS).optional(),
    /** The email of the member who acted. */
    member: z.email().max(320).optional(),
  })
  .strict();

/** How each event reads after the actor's email; an event not here reads as its name. */
const PHRASES: Partial<Record<string, string>> = {
  'data.read': 'read',
  'data.exported': 'exported',
  'proposal.created': 'proposed',
  'decision.made': 'got a policy decision on',
  'approval.requested': 'asked for approval of',
  'approval.granted': 'approved',
  'approval.rejected': 'rejected',
  'approval.expired': 'let the approval expire for',
  'execution.started': 'started',
  'execution.succeeded': 'executed',
  'execution.failed': 'failed to execute',
  'execution.recovered': 'recovered',
};

const ENDINGS = ['succeeded', 'failed', 'recovered', 'granted', 'rejected', 'expired'];

/** pass/warn/block for decisions, succeeded/failed/… for executions and approvals, failed for a failed read. */
function outcomeOf(event: { event: string; decision: unknown; result: unknown }): string | null {
  const decided = (event.decision as { outcome?: unknown } | null)?.outcome;
  if (typeof decided === 'string') return decided;
  if ((event.result as { error?: unknown } | null)?.error) return 'failed';
  const ending = event.event.split('.').at(-1) ?? '';
  return ENDINGS.includes(ending) ? ending : null;
}

/** Lists recent audit events of the actor's org. */
export const listActivity = defineRead({
  name: 'list_activity',
  description:
    'List the latest activity in this org from the audit log, newest first (who did what, on which operation, with what outcome); filter by event name or by the member email who acted.',
  kind: 'data.read',
  input: listActivityInput,
  async run(context, input) {
    // The org comes from the session's actor, never from input: another org's log is out of reach.
    const rows = await listAuditEvents(context.db, context.actor.orgId, {
      limit: input.limit,
      ...(input.event ? { event: input.event } : {}),
      ...(input.member ? { actorEmail: input.member } : {}),
      newestFirst: true,
    });
    const events = rows.map((row) => {
      const outcome = outcomeOf(row);
      const subject = row.chargeId ?? row.invoiceId ?? row.customerId ?? row.proposalId;
      const what = [
        row.actorEmail ?? 'Leash',
        PHRASES[row.event] ?? row.event,
        row.operation,
        subject && `(${subject})`,
      ]
        .filter(Boolean)
        .join(' ');
      return {
        at: row.at.toISOString(),
        event: row.event,
        actor: row.actorEmail,
        operation: row.operation,
        outcome,
        summary: outcome ? `${what}: ${outcome}` : what,
      };
    });
    return { events };
  },
});
