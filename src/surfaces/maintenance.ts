/**
 * What a server does besides answering: at start-up, executions a crash left `executing` are run again with
 * their idempotency keys (the billing system returns an effect that already happened instead of repeating it);
 * then, every few minutes, orgs billed on Stripe catch up from the Events API (webhooks do it at once when
 * configured; this covers missed deliveries and endpoints without one).
 */
import type { Logger } from 'pino';
import { listMembers, listOrgs, type Member, type Org } from '../auth/members.ts';
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

/** Applies the Events API since the last sync for every org billed on Stripe; failures are logged, not thrown. */
export async function syncStripeOrgs(store: Pick<Store, 'db'>, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  for (const org of await listOrgs(store.db)) {
    if (org.billing !== 'stripe') continue;
    const owner = await ownerOf(store, org);
    if (!owner) continue;
    try {
      const report = await syncStripe(store.db, owner, { quiet: true });
      if (report.events > 0 || report.backfill)
        log.info({ org: org.id, events: report.events, resynced: report.resynced }, 'Stripe mirror caught up');
    } catch (error) {
      log.warn({ org: org.id, error: error instanceof Error ? error.message : String(error) }, 'Stripe sync failed');
    }
  }
}

/** Starts the periodic Stripe sync; returns a function that stops it (and waits for a run in progress). */
export function startStripeSyncLoop(
  store: Pick<Store, 'db'>,
  log: Pick<Logger, 'info' | 'warn'>,
  intervalMs: number,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => syncStripeOrgs(store, log));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
