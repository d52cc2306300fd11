/** `leash duplicates`: customers billed twice for one product (duplicate subscriptions). */
import type { Command } from 'commander';
import type { DuplicateGroup } from '../../operations/find-duplicate-subscriptions.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate, showMoney } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { runCliRead } from '../run-read.ts';

/** Registers `leash duplicates`. */
export function registerDuplicatesCommand(program: Command): void {
  program
    .command('duplicates')
    .description('Find duplicate subscriptions: a customer with two or more live subscriptions to one product.')
    .option('--customer <ref>', 'only this customer (id, email or name)')
    .option('--limit <N>', 'how many groups to show (1-1000)', '100')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nEach group lists the live subscriptions oldest first (the first is usually the one to keep) and what the\nextra ones bill per period. Cancelling the extra one is `cancel_subscription` (see `leash run --help`).\n\nExamples:\n  $ leash duplicates\n  $ leash duplicates --customer globex --json',
    )
    .action(async (options: { customer?: string; limit: string; as?: string; json?: boolean }) => {
      const { groups } = await runCliRead<{ groups: DuplicateGroup[] }>(
        'find_duplicate_subscriptions',
        {
          ...(options.customer ? { customer: options.customer } : {}),
          limit: parseIntegerOption('limit', options.limit, 1, 1000),
        },
        options.as,
      );
      if (options.json) return printJson(groups);
      if (groups.length === 0) {
        process.stdout.write('no duplicate subscriptions\n');
        return;
      }
      for (const group of groups) {
        process.stdout.write(`${group.summary}\n`);
        printTable(
          ['subscription', 'status', 'since', 'renews', 'price', 'amount'],
          group.subscriptions.map((evidence) => [
            evidence.subscriptionId,
            evidence.status,
            showDate(evidence.createdAt),
            showDate(evidence.currentPeriodEnd),
            evidence.price,
            showMoney(evidence.amount, evidence.currency),
          ]),
        );
        process.stdout.write('\n');
      }
    });
}
