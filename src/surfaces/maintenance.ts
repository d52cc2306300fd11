/**
 * The duties background jobs carry out (src/jobs/ schedules them on the job queue): executions a crash left
 * `executing` are run again with their idempotency keys (the billing system returns an effect that already
 * happened instead of repeating it); orgs billed on Stripe catch up from the Events API (webhooks do it at once
 * when configured; this covers missed deliveries and endpoints without one); queued replies are delivered; bulk
 * jobs left unfinished are found again.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { getOrg, listMembers, listOrgs, type Member, type Org } from '../auth/members.ts';
import { deliverOutbox } from '../operations/deliver-outbox.ts';
import type { ExecutionOutcome } from '../operations/execute-proposal.ts';
import { recoverExecutions } from '../operations/recover-executions.ts';
import { syncStripe } from '../operations/stripe-sync.ts';
import type { Gate } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';
import { memberContext } from './operation-context.ts';

/** An execution younger than this may still be running in another process: recovery leaves it. */
const RECOVER_AFTER_MS = 2 * 60_000;

async function ownerOf(store: Pick<Store, 'db'>, org: Org): Promise<Member | undefined> {
  return (await listMembers(store.db, org.id)).find((member) => member.role === 'owner' && !member.disabledAt);
}

/** Recovers every org's stuck executions (as its owner, on the CLI channel); returns what each came to. */
export async function recoverAllExecutions(
  store: Pick<Store, 'db'>,
  gate: Gate,
  options: { startedBefore?: Date } = { startedBefore: new Date(Date.now() - RECOVER_AFTER_MS) },
): Promise<{ org: Org; outcomes: ExecutionOutcome[] }[]> {
  const recovered: { org: Org; outcomes: ExecutionOutcome[] }[] = [];
  for (const org of await listOrgs(store.db)) {
    const owner = await ownerOf(store, org);
    if (!owner) continue;
    const context = memberContext({ store, org, member: owner, gate, channel: 'cli' });
    const outcomes = await recoverExecutions(context, options);
    if (outcomes.length > 0) recovered.push({ org, outcomes });
  }
  return recovered;
}

/** Orgs billed on Stripe (the ones the catch-up schedule fans out to). */
export async function stripeOrgIds(store: Pick<Store, 'db'>): Promise<string[]> {
  return (await listOrgs(store.db)).filter((org) => org.billing === 'stripe').map((org) => org.id);
}

/**
 * Applies the Events API since the last sync for one org billed on Stripe (as its owner). Throws on failure, so
 * the job queue retries it with backoff; the Events API cursor makes a repeated run apply only what is new.
 */
export async function syncStripeOrg(
  store: Pick<Store, 'db'>,
  orgId: string,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<void> {
  const org = await getOrg(store.db, orgId);
  if (org?.billing !== 'stripe') return;
  const owner = await ownerOf(store, org);
  if (!owner) return;
  const report = await syncStripe(store.db, owner, { quiet: true });
  if (report.events > 0 || report.backfill)
    log.info({ org: org.id, events: report.events, resynced: report.resynced }, 'Stripe mirror caught up');
}

/** Delivers every org's queued replies by SMTP (as each org's owner); nothing to do without SMTP. */
export async function deliverAllOutboxes(
  store: Pick<Store, 'db'>,
  gate: Gate,
  smtp: Parameters<typeof deliverOutbox>[1] | null,
): Promise<{ sent: number; failed: number }> {
  const totals = { sent: 0, failed: 0 };
  if (!smtp) return totals;
  for (const org of await listOrgs(store.db)) {
    const owner = await ownerOf(store, org);
    if (!owner) continue;
    const report = await deliverOutbox(memberContext({ store, org, member: owner, gate, channel: 'cli' }), smtp);
    totals.sent += report.sent.length;
    totals.failed += report.failed.length;
  }
  return totals;
}

/** Bulk jobs with targets still pending: what a start-up sweep hands back to the queue. */
export async function unfinishedBulkJobs(
  store: Pick<Store, 'db'>,
): Promise<{ orgId: string; jobId: string; memberId: string }[]> {
  const rows = await store.db
    .selectFrom('bulkJobs')
    .innerJoin('proposals', (join) =>
      join
        .onRef('proposals.orgId', '=', 'bulkJobs.orgId')
        .on(sql`'leash_' || proposals.id`, '=', sql.ref('bulkJobs.idempotencyKey')),
    )
    .select(['bulkJobs.orgId', 'bulkJobs.id', 'proposals.requesterId'])
    .where('bulkJobs.status', 'in', ['pending', 'running'])
    .execute();
  return rows.map((row) => ({ orgId: row.orgId, jobId: row.id, memberId: row.requesterId }));
}
