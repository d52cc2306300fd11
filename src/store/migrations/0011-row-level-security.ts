/**
 * Row-level security, the second wall of tenant isolation (ARCHITECTURE.md §3.8). Every table with an org_id
 * gets a policy that shows and accepts only the rows of the org in `leash.org_id`; `orgs` only that org's row;
 * `bulk_job_targets` only the targets of visible jobs. The policies bind the role `leash_app`, which the server
 * assumes for every authenticated request (store/org-scope.ts); the migration's own role (the tables' owner)
 * is not bound, so local mode, migrations and sign-in lookups work as before. Creating the role needs
 * CREATEROLE once per cluster; grants are per schema.
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

const CREATE_ROLE = `
    do $$ begin
      if not exists (select from pg_roles where rolname = 'leash_app') then
        begin
          create role leash_app nologin;
        exception when duplicate_object or unique_violation then null;
        end;
      end if;
      if not pg_has_role(current_user, 'leash_app', 'member') then
        execute format('grant leash_app to %I', current_user);
      end if;
    end $$
`;

const POLICY_PER_ORG_TABLE = `
    do $$ declare t record; begin
      execute format('grant usage on schema %I to leash_app', current_schema());
      execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to leash_app', current_schema());
      for t in
        select c.relname from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
        where n.nspname = current_schema() and c.relkind = 'r'
      loop
        execute format('grant select, insert, update, delete on %I to leash_app', t.relname);
        execute format('alter table %I enable row level security', t.relname);
        execute format(
          'create policy org_scope on %I using (org_id = current_setting(''leash.org_id'', true)) with check (org_id = current_setting(''leash.org_id'', true))',
          t.relname);
      end loop;
    end $$
`;

/** Creates leash_app, grants it the tables, and adds the org policies. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // DO blocks hold semicolons, so each runs as one statement.
  await sql.raw(CREATE_ROLE).execute(db);
  await sql.raw(POLICY_PER_ORG_TABLE).execute(db);
  await runStatements(
    db,
    `
    grant select on orgs to leash_app;
    alter table orgs enable row level security;
    create policy org_scope on orgs using (id = current_setting('leash.org_id', true));
    grant select, insert, update, delete on bulk_job_targets to leash_app;
    alter table bulk_job_targets enable row level security;
    create policy org_scope on bulk_job_targets using (job_id in (select id from bulk_jobs))
      with check (job_id in (select id from bulk_jobs))
    `,
  );
}
