/**
 * Customer notifications of bulk operations (issue 20, ADR 0024). `broadcasts` is one approved
 * `messaging.broadcast` (its template and subject) for one bulk proposal — at most one per bulk proposal.
 * `broadcast_messages` is the claim of one target's message: its primary key (broadcast, target position) and
 * its unique idempotency key are written in the same transaction as the queued message, so a replay, a second
 * approval or two workers at once queue a target's message once. Org-scoped with row-level security.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates broadcasts and broadcast_messages. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table broadcasts (
      id text primary key,
      org_id text not null references orgs(id),
      proposal_id text not null references proposals(id),
      bulk_proposal_id text not null references proposals(id),
      operation text not null,
      subject text not null,
      template text not null,
      idempotency_key text not null unique,
      created_by text not null references members(id),
      created_at timestamptz not null
    );
    create unique index broadcasts_once on broadcasts (org_id, bulk_proposal_id);
    create table broadcast_messages (
      broadcast_id text not null references broadcasts(id),
      position integer not null,
      org_id text not null references orgs(id),
      customer_id text not null,
      idempotency_key text not null unique,
      message_id text not null references messages(id) deferrable initially deferred,
      created_at timestamptz not null,
      primary key (broadcast_id, position)
    );
    grant select, insert on broadcasts, broadcast_messages to leash_app;
    alter table broadcasts enable row level security;
    create policy org_scope on broadcasts using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    alter table broadcast_messages enable row level security;
    create policy org_scope on broadcast_messages using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
