/**
 * The Stripe mirror (issue 7). A second schema beside the ledger's, `<schema>_stripe`, holds one table per
 * Stripe object type with exactly the ledger's typed columns (so every read and insight query runs on it
 * unchanged, with the mirror first on the search path) plus `object`, the full Stripe object as received, and
 * `stripe_version`, the instant (seconds) of the state held, so an older event never overwrites newer state.
 * Keys are (org_id, id): two orgs may mirror one Stripe account. No foreign keys: events arrive in any order.
 *
 * Beside it: `stripe_sync` (backfill cursors per object type, the Events API cursor) and `stripe_events` (event
 * ids seen, so a replayed delivery is ignored); `orgs.billing` says which system an org's operations use; the
 * webhook signing secret is sealed like the key.
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** The ledger tables the mirror copies, in dependency order. */
export const MIRRORED_TABLES = [
  'customers',
  'products',
  'prices',
  'coupons',
  'subscriptions',
  'subscription_items',
  'invoices',
  'invoice_lines',
  'charges',
  'refunds',
  'credit_notes',
  'balance_transactions',
  'usage_records',
] as const;

const CREATE_MIRROR = `
  do $$ declare
    base text := current_schema();
    mirror text := current_schema() || '_stripe';
    t text;
    pk text;
  begin
    execute format('create schema if not exists %I', mirror);
    execute format('grant usage on schema %I to leash_app', mirror);
    foreach t in array array[${MIRRORED_TABLES.map((name) => `'${name}'`).join(', ')}] loop
      execute format('create table %I.%I (like %I.%I including defaults including indexes)', mirror, t, base, t);
      select conname into pk from pg_constraint
        where conrelid = format('%I.%I', mirror, t)::regclass and contype = 'p';
      execute format('alter table %I.%I drop constraint %I', mirror, t, pk);
      execute format('alter table %I.%I add primary key (org_id, id)', mirror, t);
      execute format('alter table %I.%I add column object jsonb', mirror, t);
      execute format('alter table %I.%I add column stripe_version bigint not null default 0', mirror, t);
      execute format('grant select, insert, update, delete on %I.%I to leash_app', mirror, t);
      execute format('alter table %I.%I enable row level security', mirror, t);
      execute format(
        'create policy org_scope on %I.%I using (org_id = current_setting(''leash.org_id'', true)) with check (org_id = current_setting(''leash.org_id'', true))',
        mirror, t);
    end loop;
    execute format('alter table %I.charges add column payment_intent text', mirror);
    execute format('create index on %I.charges (org_id, payment_intent)', mirror);
    execute format('alter table %I.invoices add column payment_intents text[] not null default ''{}''', mirror);
    execute format('create index on %I.invoices using gin (payment_intents)', mirror);
  end $$
`;

/** Creates the mirror schema and the sync tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(CREATE_MIRROR).execute(db);
  await runStatements(
    db,
    `
    alter table orgs add column billing text not null default 'ledger' check (billing in ('ledger', 'stripe'));
    grant update (billing) on orgs to leash_app;
    alter table integrations add column webhook_secret_sealed text;

    create table stripe_sync (
      org_id text primary key references orgs(id),
      backfill jsonb not null default '{}'::jsonb,
      backfill_started_at timestamptz,
      backfill_finished_at timestamptz,
      events_cursor text,
      events_cursor_created bigint,
      events_synced_at timestamptz,
      updated_at timestamptz not null
    );
    create table stripe_events (
      org_id text not null references orgs(id),
      id text not null,
      type text not null,
      created bigint not null,
      source text not null check (source in ('webhook', 'events_api')),
      received_at timestamptz not null,
      primary key (org_id, id)
    );
    create index stripe_events_org_created on stripe_events (org_id, created);
    grant select, insert, update, delete on stripe_sync, stripe_events to leash_app;
    alter table stripe_sync enable row level security;
    create policy org_scope on stripe_sync using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    alter table stripe_events enable row level security;
    create policy org_scope on stripe_events using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
