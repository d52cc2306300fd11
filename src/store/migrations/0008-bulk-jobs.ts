/**
 * Bulk jobs: an approved bulk action (a coupon for a segment, retrying failed invoices, a plan migration) runs
 * as a durable job, one row per target. A target's write uses a key derived from the proposal and its
 * position, so resuming a job after a crash never applies a change twice.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates bulk_jobs and bulk_job_targets. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table bulk_jobs (
      id text primary key,
      org_id text not null references orgs(id),
      idempotency_key text not null unique,
      operation text not null,
      status text not null check (status in ('pending', 'running', 'succeeded', 'partial', 'failed')),
      total integer not null,
      succeeded integer not null default 0,
      failed integer not null default 0,
      rate_per_second double precision not null,
      created_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz
    );
    create index bulk_jobs_org on bulk_jobs (org_id, created_at);

    create table bulk_job_targets (
      job_id text not null references bulk_jobs(id),
      position integer not null,
      target jsonb not null,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      result jsonb,
      error text,
      finished_at timestamptz,
      primary key (job_id, position)
    );
    create index bulk_job_targets_pending on bulk_job_targets (job_id, position) where status = 'pending';
    `,
  );
}
