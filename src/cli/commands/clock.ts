/** `leash clock show|advance`: the embedded ledger's simulated time. */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { printFields, printJson } from '../output.ts';
import { parseDateOption, parseIntegerOption } from '../parse-options.ts';

/** Registers the clock commands. */
export function registerClockCommand(program: Command): void {
  const clock = program
    .command('clock')
    .description(
      "The ledger's simulated clock: as it moves, subscriptions renew, invoices are issued, cards are charged and dunning retries.",
    );

  clock
    .command('show', { isDefault: true })
    .description("Show the ledger's current time.")
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const [{ readLedgerClock }, { operationContext }, { resolveActor, withSession }] = await Promise.all([
        import('../../operations/advance-clock.ts'),
        import('../operation-context.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'read');
        const now = await readLedgerClock(operationContext(session, actor, session.gate));
        if (options.json) return printJson({ now });
        process.stdout.write(`${now.toISOString()}\n`);
      });
    });

  clock
    .command('advance')
    .description('Move the clock forward (owner only); prints renewals, payments and cancellations that happened.')
    .option('--days <N>', 'move forward this many days')
    .option('--to <date>', 'move forward to this date (YYYY-MM-DD, UTC)')
    .option('--as <email>', 'the member acting: the owner (default LEASH_USER, else the owner)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ leash clock advance --days 30\n  $ leash clock advance --to 2026-12-31')
    .action(async (options: { days?: string; to?: string; as?: string; json?: boolean }) => {
      if ((options.days === undefined) === (options.to === undefined))
        throw badInput('--days', 'give exactly one of --days N or --to DATE');
      const [{ advanceLedgerClock, readLedgerClock }, { operationContext }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../operations/advance-clock.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'read');
        const context = operationContext(session, actor, session.gate);
        const now = await readLedgerClock(context);
        const to = options.to
          ? parseDateOption('to', options.to)
          : new Date(now.getTime() + parseIntegerOption('days', options.days ?? '', 1, 3660) * 86_400_000);
        if (to.getTime() <= now.getTime())
          throw badInput('--to', `must be after the ledger's now (${now.toISOString()})`);
        const report = await advanceLedgerClock(context, to);
        if (options.json) return printJson(report);
        printFields([
          ['clock', `${report.from.toISOString()} → ${report.to.toISOString()}`],
          ['invoices created', String(report.invoicesCreated)],
          ['payments succeeded', String(report.paymentsSucceeded)],
          ['payments failed', String(report.paymentsFailed)],
          ['subscriptions renewed', String(report.subscriptionsRenewed)],
          ['trials ended', String(report.trialsEnded)],
          ['subscriptions canceled', String(report.subscriptionsCanceled)],
        ]);
      });
    });
}
