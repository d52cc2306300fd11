/**
 * Outbound webhooks (issue 20 part 2): `webhook_endpoints` are the org's subscribed URLs (the signing secret
 * sealed like provider keys, never stored in the clear), `webhook_events` is the outbox of billing events written
 * in the same transaction as the execution that caused them, and `webhook_deliveries` is one row per event and
 * endpoint with its attempts, next attempt and state (pending → delivered, or dead after the last attempt).
 * Nothing is deleted: a deleted endpoint is kept with `deleted_at`. Org-scoped with row-level security.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates webhook_endpoints, webhook_events and webhook_deliveries. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table webhook_endpoints (
      id text primary key,
      org_id text not null references orgs(id),
      url text not null,
      events jsonb not null,
      description text not null default '',
      secret_sealed text not null,
      disabled boolean not null default false,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      deleted_at timestamptz
    );
    create index webhook_endpoints_org on webhook_endpoints (org_id);
    create table webhook_events (
      id text primary key,
      org_id text not null references orgs(id),
      type text not null,
      data jsonb not null,
      fanned_out boolean not null default false,
      created_at timestamptz not null
    );
    create index webhook_events_pending on webhook_events (org_id, fanned_out, created_at);
    create table webhook_deliveries (
      id text primary key,
      org_id text not null references orgs(id),
      endpoint_id text not null references webhook_endpoints(id),
      event_id text not null references webhook_events(id),
      state text not null check (state in ('pending', 'delivered', 'dead')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      last_status integer,
      last_error text,
      created_at timestamptz not null,
      delivered_at timestamptz
    );
    create unique index webhook_deliveries_once on webhook_deliveries (endpoint_id, event_id);
    create index webhook_deliveries_due on webhook_deliveries (org_id, state, next_attempt_at);
    grant select, insert, update on webhook_endpoints, webhook_events, webhook_deliveries to leash_app;
    alter table webhook_endpoints enable row level security;
    create policy org_scope on webhook_endpoints using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    alter table webhook_events enable row level security;
    create policy org_scope on webhook_events using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    alter table webhook_deliveries enable row level security;
    create policy org_scope on webhook_deliveries using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true))
    `,
  );
}
