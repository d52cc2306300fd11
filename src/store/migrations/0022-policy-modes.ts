/**
 * Modes and staged rollout (issue 20 part 1): `org_policy_modes` holds an org's Insight / Act / Integrate
 * settings as validated JSON (domain/modes.ts), written only by the set_policy_modes operation after the gate.
 * No row means the default, `full`, so existing orgs behave as before. Org-scoped with row-level security.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates org_policy_modes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table org_policy_modes (
      org_id text primary key references orgs(id),
      settings jsonb not null,
      updated_by text not null references members(id),
      updated_at timestamptz not null
    );
    grant select, insert, update on org_policy_modes to leash_app;
    alter table org_policy_modes enable row level security;
    create policy org_scope on org_policy_modes using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
