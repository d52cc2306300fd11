/** The leash pipeline: proposals, approval requests, executions and daily-limit counters. */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates the pipeline tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table proposals (
      id text primary key,
      org_id text not null references orgs(id),
      operation text not null,
      kind text not null,
      requester_id text not null references members(id),
      channel text not null,
      request_id text not null,
      case_id text,
      reason text,
      user_input text,
      input jsonb not null,
      payload jsonb not null,
      payload_hash text not null,
      preview jsonb not null,
      decision jsonb not null,
      outcome text not null check (outcome in ('pass', 'warn', 'block')),
      status text not null check (status in ('awaiting_confirmation', 'awaiting_approval', 'blocked', 'rejected',
        'expired', 'executing', 'succeeded', 'failed')),
      money_amount bigint,
      money_currency text,
      reserved_day text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index proposals_org_requester on proposals (org_id, requester_id, created_at);
    create index proposals_org_status on proposals (org_id, status);

    create table approval_requests (
      id text primary key,
      org_id text not null references orgs(id),
      proposal_id text not null unique references proposals(id),
      requester_id text not null references members(id),
      payload jsonb not null,
      payload_hash text not null,
      groups jsonb not null,
      roles jsonb not null,
      min_cap jsonb,
      handle_hash text not null unique,
      status text not null check (status in ('pending', 'approved', 'rejected', 'expired')),
      decided_by text references members(id),
      decided_at timestamptz,
      decision_reason text,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index approval_requests_org_status on approval_requests (org_id, status, created_at);

    create table executions (
      id text primary key,
      org_id text not null references orgs(id),
      proposal_id text not null unique references proposals(id),
      idempotency_key text not null unique,
      status text not null check (status in ('pending', 'executing', 'succeeded', 'failed')),
      attempts integer not null default 1,
      result jsonb,
      error text,
      started_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index executions_status on executions (status);

    create table limit_counters (
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      kind text not null,
      day text not null,
      currency text not null,
      reserved bigint not null default 0,
      primary key (org_id, member_id, kind, day, currency)
    );
  `,
  );
}
