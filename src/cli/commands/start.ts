/**
 * `leash start` (what `npm start` runs): on first run, builds the demo business; then says what is there and
 * how to use it. The HTTP server and dashboard will start here once they exist (MCP already runs: `leash mcp`).
 */
import type { Command } from 'commander';
import { listMembers, listOrgs } from '../../auth/members.ts';
import { openStore } from '../../store/db.ts';
import { printTable } from '../output.ts';
import { buildDemo, startOfTodayUtc } from './demo.ts';

/** Registers `leash start`. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start Leash: on first run creates the store with demo data, then shows who can do what and what to try.',
    )
    .action(async () => {
      const probe = await openStore();
      const firstRun = (await listOrgs(probe.db)).length === 0;
      await probe.close();
      if (firstRun) {
        process.stdout.write('First run: building the demo business (24 months, 300 customers)…\n');
        const { summary, store } = await buildDemo({
          customers: 300,
          seed: 'leash',
          months: 24,
          endAt: startOfTodayUtc(),
          showProgress: true,
        });
        process.stdout.write(`Demo data is in ${store.location}.\n`);
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      }
      const store = await openStore();
      try {
        const [org] = await listOrgs(store.db);
        if (!org) return;
        process.stdout.write(
          `\nLeash is ready: ${org.name} on the embedded ledger (${store.location}).\n\nMembers (act as one with --as EMAIL or LEASH_USER):\n`,
        );
        const members = await listMembers(store.db, org.id);
        printTable(
          ['email', 'role', 'approver groups'],
          members.map((member) => [member.email, member.role, member.groups.join(', ')]),
        );
        process.stdout.write(
          [
            '',
            'Try:',
            '  npx leash customers acme                   find a customer (fuzzy)',
            '  npx leash customer "Acme Corp"             plan, subscriptions, invoices, payments',
            '  npx leash invoices --overdue               who owes what, and for how long',
            '  npx leash insights movements               MRR by month: new, expansion, contraction, churn',
            '  npx leash ticket "I was charged twice" --customer globex --as carl@northwind.test',
            '  npx leash ops                              every operation the policy gate mediates',
            '  npx leash run refund_charge --as carl@northwind.test --input \'{"charge_id":"ch_…","reason":"…","case_id":"T-1"}\'',
            '  npx leash approvals list                   requests waiting for a second person',
            '  npx leash audit verify                     prove the audit log is intact',
            '',
            'Claude Desktop, Claude Code or Cursor: `npx leash mcp --help` (tools over MCP, on stdio).',
            'The HTTP server and dashboard arrive with the next releases; `npx leash --help` lists everything.',
            '',
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
