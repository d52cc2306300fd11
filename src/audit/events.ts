/** The closed list of audit events, `resource.action`. An event not on this list is a broken invariant. */

/** Every event the audit log accepts. */
export const AUDIT_EVENTS = [
  'proposal.created',
  'decision.made',
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  'approval.expired',
  'execution.started',
  'execution.succeeded',
  'execution.failed',
  'execution.recovered',
  'confirm.replayed',
  'data.read',
  'data.exported',
  'reply.drafted',
  'reply.sent',
  'broadcast.queued',
  'ticket.created',
  'ticket.classified',
  'ticket.updated',
  'ticket.reviewed',
  'policy.loaded',
  'audit.key_rotated',
  'member.added',
  'member.role_changed',
  'member.removed',
  'member.time_zone_changed',
  'org.created',
  'demo.generated',
  'clock.advanced',
  'integration.connected',
  'integration.disconnected',
  'integration.synced',
  'integration.webhook_refused',
  'auth.login',
  'auth.link_sent',
  'auth.logout',
  'auth.session_revoked',
  'auth.key_created',
  'auth.key_revoked',
  'agent.call_refused',
  'channel.stopped',
  'channel.resumed',
  'input.refused',
  'webhook.redelivered',
  'job.retried',
  'insights.rebuilt',
] as const;

/** An audit event name. */
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** True when `name` is on the closed list. */
export function isAuditEventName(name: string): name is AuditEventName {
  return (AUDIT_EVENTS as readonly string[]).includes(name);
}

/** The hash the first row of every org's chain links to. */
export const GENESIS_HASH = '0'.repeat(64);
