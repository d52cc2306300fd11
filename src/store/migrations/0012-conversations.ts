/**
 * Conversations with the agent: one per thread, owned by the member who started it, named after the first
 * message; each turn stored with the calls it made (operation, input, outcome, proposal id) and what later
 * turns may refer to ("the first one", "all of these"). Both tables are org-scoped with row-level security.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates conversations and conversation_turns, with the org policy of 0011. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table conversations (
      id text primary key,
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      title text not null,
      planner text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index conversations_member on conversations (org_id, member_id, updated_at desc);
    create table conversation_turns (
      id text primary key,
      org_id text not null references orgs(id),
      conversation_id text not null references conversations(id),
      seq integer not null,
      request text not null,
      reply text not null,
      calls jsonb not null,
      referents jsonb not null,
      chart jsonb,
      planner text not null,
      created_at timestamptz not null,
      unique (conversation_id, seq)
    );
    grant select, insert, update, delete on conversations to leash_app;
    grant select, insert, update, delete on conversation_turns to leash_app;
    alter table conversations enable row level security;
    create policy org_scope on conversations using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    alter table conversation_turns enable row level security;
    create policy org_scope on conversation_turns using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
