/**
 * The gate as a service (issue 20, seed 004): decisions asked for by other companies' agents over
 * `POST /api/gate/validate`. A PASS or WARN is kept (a BLOCK is final and lives in the audit log only): its
 * normalised payload and SHA-256, the policy's answer, where its approval stands and, once the agent reports it,
 * the outcome of its execution (one record per decision, keyed by the decision's idempotency key). An approval
 * request now belongs to a proposal or to a gate decision, exactly one of them. API keys get a scope: `gate`
 * keys may call only the gate. Org-scoped with row-level security, like every table with an org.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates gate_decisions, links approval requests to them and scopes API keys. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table gate_decisions (
      id text primary key,
      org_id text not null references orgs(id),
      requester_id text not null references members(id),
      api_key_id text references api_keys(id),
      agent_name text not null,
      action_kind text not null,
      action_type text not null,
      payload jsonb not null,
      payload_hash text not null,
      idempotency_key text not null,
      request_id text not null,
      decision text not null check (decision in ('pass', 'warn')),
      reasons jsonb not null,
      policy_request jsonb not null,
      status text not null check (status in ('pass', 'pending_approval', 'approved', 'rejected', 'expired', 'executed')),
      execution jsonb,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      executed_at timestamptz
    );
    create unique index gate_decisions_org_idempotency on gate_decisions (org_id, idempotency_key);
    create index gate_decisions_org_created on gate_decisions (org_id, created_at);
    grant select, insert, update on gate_decisions to leash_app;
    alter table gate_decisions enable row level security;
    create policy org_scope on gate_decisions using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));

    alter table approval_requests alter column proposal_id drop not null;
    alter table approval_requests add column decision_id text unique references gate_decisions(id);
    alter table approval_requests add constraint approval_requests_one_subject
      check (num_nonnulls(proposal_id, decision_id) = 1);

    alter table api_keys add column scope text not null default 'all' check (scope in ('all', 'gate'))
    `,
  );
}
