/**
 * Provider connections: one row per org and provider, holding the sealed key (secrets/secret-box.ts), its last
 * four characters, the mode, what the key may do, and when it was connected, rotated or disconnected. Org-scoped
 * with row-level security like every org table.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates integrations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table integrations (
      id text primary key,
      org_id text not null references orgs(id),
      provider text not null check (provider in ('stripe')),
      status text not null check (status in ('connected', 'disconnected')),
      mode text check (mode in ('live', 'test')),
      key_sealed text,
      key_hint text,
      permissions jsonb not null default '[]'::jsonb,
      connected_by text references members(id),
      connected_at timestamptz,
      rotated_at timestamptz,
      disconnected_at timestamptz,
      updated_at timestamptz not null,
      unique (org_id, provider)
    );
    grant select, insert, update, delete on integrations to leash_app;
    alter table integrations enable row level security;
    create policy org_scope on integrations using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
