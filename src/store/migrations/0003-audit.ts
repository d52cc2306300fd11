/** The audit log: hash-chained per org, append-only at the database level (UPDATE, DELETE, TRUNCATE raise). */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates audit_events, audit_heads and the triggers that keep the log append-only. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table audit_events (
      id text primary key,
      org_id text not null,
      seq bigint not null,
      at timestamptz not null,
      event text not null,
      actor_id text,
      actor_email text,
      actor_role text,
      channel text not null,
      request_id text,
      proposal_id text,
      operation text,
      customer_id text,
      invoice_id text,
      charge_id text,
      arguments jsonb not null,
      decision jsonb not null,
      result jsonb not null,
      user_input text,
      prev_hash text not null,
      hash text not null,
      unique (org_id, seq)
    );
    create index audit_events_org_customer on audit_events (org_id, customer_id, seq);
    create index audit_events_org_actor on audit_events (org_id, actor_id, seq);
    create index audit_events_org_event on audit_events (org_id, event, seq);
    create index audit_events_org_at on audit_events (org_id, at);
    create index audit_events_org_proposal on audit_events (org_id, proposal_id);

    create table audit_heads (
      org_id text primary key,
      seq bigint not null,
      hash text not null
    );

    create function audit_events_append_only() returns trigger language plpgsql as $$ begin raise exception 'audit_events is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege'; end $$;
    create trigger audit_events_no_change before update or delete on audit_events for each row execute function audit_events_append_only();
    create trigger audit_events_no_truncate before truncate on audit_events for each statement execute function audit_events_append_only();
  `,
  );
}
