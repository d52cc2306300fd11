/**
 * Agent access stops: a member whose agents (MCP, the built-in agent) ran into too many blocked attempts in a
 * short window has their agent access paused until an owner resumes it. One row per stop, kept after it is
 * resumed (who resumed it, when). At most one open stop per member. Org-scoped with row-level security. An index
 * on the audit log serves the count of a member's recent blocked attempts.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates agent_channel_stops. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table agent_channel_stops (
      id text primary key,
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      stopped_at timestamptz not null,
      blocked_attempts integer not null,
      window_seconds integer not null,
      resumed_at timestamptz,
      resumed_by text references members(id)
    );
    create unique index agent_channel_stops_open on agent_channel_stops (org_id, member_id) where resumed_at is null;
    create index agent_channel_stops_member on agent_channel_stops (org_id, member_id, stopped_at);
    -- Counting one member's recent blocked attempts (auth/agent-access.ts) on every agent request.
    create index audit_events_org_actor_at on audit_events (org_id, actor_id, at);
    grant select, insert, update on agent_channel_stops to leash_app;
    alter table agent_channel_stops enable row level security;
    create policy org_scope on agent_channel_stops using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
