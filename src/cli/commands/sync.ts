/** `leash sync stripe`: mirror the connected Stripe account (backfill, then events), with progress. */
import type { Command } from 'commander';
import { LeashError } from '../../domain/errors.ts';
import { printJson } from '../output.ts';
import { progressBar } from '../progress.ts';

const PLURAL: Record<string, string> = {
  customer: 'customers',
  product: 'products',
  price: 'prices',
  coupon: 'coupons',
  subscription: 'subscriptions',
  invoice: 'invoices',
  charge: 'charges',
  refund: 'refunds',
  credit_note: 'credit notes',
  customer_balance_transaction: 'balance changes',
};

/** Registers `leash sync`. */
export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('Mirror the connected Stripe account: a resumable backfill, then the events since.')
    .argument('<provider>', 'stripe')
    .option('--full', 'list everything again instead of applying the events since the last sync')
    .option('--as <email>', 'an owner or billing manager (or LEASH_USER)')
    .option('--json', 'print JSON (no progress bar)')
    .addHelpText(
      'after',
      `
The first sync lists every customer, product, price, coupon, subscription, invoice, charge, refund and credit
note, 100 per request, paced under Stripe's rate limit (25 requests/s in test mode, 100 live; set
LEASH_STRIPE_RATE_LIMIT to leave room for other clients). Interrupted, it resumes where it stopped. When it
finishes, the org's operations, insights and the agent read the mirror and write through Stripe. Later syncs
apply the Events API since the last one (Stripe keeps 30 days; older, and everything is listed again).
Webhooks at /webhooks/stripe keep the mirror current between syncs.

Examples:
  $ leash sync stripe --as olivia@northwind.test
  $ leash sync stripe --full --json --as fiona@northwind.test`,
    )
    .action(async (provider: string, options: { full?: boolean; as?: string; json?: boolean }) => {
      if (provider !== 'stripe')
        throw new LeashError('bad_input', `unknown provider "${provider}" (stripe)`, { field: 'provider' });
      const { syncStripe } = await import('../../operations/stripe-sync.ts');
      const { resolveActor, withSession } = await import('../session.ts');
      const bar = progressBar(!options.json);
      const counts = new Map<string, number>();
      const report = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        try {
          return await syncStripe(session.store.db, member, {
            ...(options.full ? { full: true } : {}),
            onProgress: (progress) => {
              counts.set(progress.type, progress.objects);
              bar.onProgress({
                phase: 'Mirroring the Stripe account (object types done)',
                done: progress.typesDone,
                total: progress.typesTotal,
              });
            },
          });
        } finally {
          bar.stop();
        }
      });
      if (options.json) return printJson({ ...report, mirrored: Object.fromEntries(counts) });
      const listed = [...counts].map(([type, count]) => `${count} ${PLURAL[type] ?? type}`).join(', ');
      const backfill = report.backfill
        ? `Listed ${report.backfill.objects} objects in ${report.backfill.pages} pages (${report.backfill.seconds.toFixed(1)} s${report.backfill.resumed ? ', resumed' : ''})${listed ? `: ${listed}` : ''}.\n`
        : '';
      process.stdout.write(
        `${backfill}${report.resynced ? 'The events cursor was older than Stripe keeps events: everything was listed again.\n' : ''}Applied ${report.eventsApplied} of ${report.events} new events. Billing now runs on the Stripe mirror.\n`,
      );
    });
}
