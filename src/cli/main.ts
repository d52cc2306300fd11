/** `leash`: the command line. Every command has --help; data commands have --json. */
import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from './commands/agent.ts';
import { registerApprovalCommands } from './commands/approvals.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerCheckReplyCommand } from './commands/check-reply.ts';
import { registerClockCommand } from './commands/clock.ts';
import { registerConnectCommands } from './commands/connect.ts';
import { registerCustomerCommands } from './commands/customers.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDuplicatesCommand } from './commands/duplicates.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerInitCommand } from './commands/init.ts';
import { registerInsightsCommands } from './commands/insights.ts';
import { registerInvoiceCommands } from './commands/invoices.ts';
import { registerJobCommands } from './commands/jobs.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMcpCommand } from './commands/mcp.ts';
import { registerOperationCommands } from './commands/ops.ts';
import { registerOutboxCommand } from './commands/outbox.ts';
import { registerPolicyCommands } from './commands/policy.ts';
import { registerRecoverCommand } from './commands/recover.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSyncCommand } from './commands/sync.ts';
import { registerTicketCommands } from './commands/ticket.ts';
import { registerUsersCommand } from './commands/users.ts';
import { registerWebhooksCommand } from './commands/webhooks.ts';
import { describeError, EXIT } from './exit-codes.ts';

const program = new Command('leash')
  .description(
    [
      'Leash: billing operations on a short leash.',
      '',
      'Ask about customers, invoices, plans and revenue; prepare refunds, credits',
      'and plan changes. Reads run at once; every change is proposed, checked by a',
      'deterministic policy, approved by a second person when money moves, executed',
      'exactly once, and written to a tamper-evident audit log.',
      '',
      'Data lives in ./.leash (LEASH_DATA_DIR), or in PostgreSQL when DATABASE_URL',
      'is set. Local mode trusts whoever holds the data directory: --as EMAIL (or',
      'LEASH_USER) says who is acting.',
    ].join('\n'),
  )
  .version('0.1.0')
  .option('--tz <zone>', "show times in this IANA time zone (default: the acting member's own, else UTC)")
  .showHelpAfterError('(add --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .addHelpText(
    'after',
    `
Getting started:
  $ leash demo                          build a demo SaaS business (24 months, ~300 customers)
  $ leash ask "Why did MRR drop last week?" --as fiona@northwind.test
                                        ask in plain language (offline; LEASH_MODEL for an LLM)
  $ leash chat --as sam@northwind.test  a saved conversation: follow-ups, "yes" to confirm
  $ leash customers acme                find customers (fuzzy name, email, id, invoice number)
  $ leash invoices --overdue            open invoices past their due date
  $ leash invoice INV-000042            one invoice with payments, refunds and credit notes
  $ leash duplicates                    customers subscribed twice to one product
  $ leash insights movements            MRR by month: new, expansion, contraction, churn
  $ leash ticket "I was charged twice" --customer globex --as carl@northwind.test
  $ leash check-reply "Your refund has been processed." --customer globex
                                        check a reply's claims against what was done
  $ leash clock advance --days 30       move the ledger's clock: renewals, payments, dunning
  $ leash ops                           every operation, with its kind and input schema
  $ leash run refund_charge --as carl@northwind.test --input '{"charge_id":"ch_…","reason":"…","case_id":"T-1"}'
  $ leash approvals list                requests waiting for a second member
  $ leash policy test                   run the policy cases in policies/tests
  $ leash audit verify                  prove the audit log is intact

MCP on stdio: \`leash mcp --as EMAIL\` (or \`leash --mcp …\`, the same); see \`leash mcp --help\`.

Exit codes: 0 ok, 1 failure, 2 bad input, 3 blocked by policy or refused.`,
  );

// `npx leash-billing --mcp`, as MCP clients are often set up: the same as `leash mcp`.
if (process.argv[2] === '--mcp') process.argv.splice(2, 1, 'mcp');

// `leash invoices --json | head`: a reader that stops early is not an error. `leash mcp` handles its own client
// going away (it finishes running calls and closes the store first), so it is left to do that.
const servingMcp = process.argv[2] === 'mcp';
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      if (!servingMcp) process.exit(process.exitCode ?? 0);
      return;
    }
    throw error;
  });

program.exitOverride();
// `--tz` (anywhere on the line) wins over the acting member's zone for this command's times.
program.hook('preAction', async (command) => {
  const tz = command.opts<{ tz?: string }>().tz;
  if (tz === undefined) return;
  const [{ parseTimeZone }, { showTimesIn }] = await Promise.all([import('../auth/members.ts'), import('./output.ts')]);
  showTimesIn(parseTimeZone(tz, 'tz'), 'option');
});
// Registering is cheap: a command module imports only commander and light helpers at its top, and its action
// imports the rest (store, policy engine, agent…), so `leash --help` and each command load only what they use.
registerStartCommand(program, '0.1.0');
registerInitCommand(program);
registerDemoCommand(program);
registerCustomerCommands(program);
registerInvoiceCommands(program);
registerDuplicatesCommand(program);
registerInsightsCommands(program);
registerAgentCommands(program);
registerEvalCommand(program);
registerTicketCommands(program);
registerCheckReplyCommand(program);
registerOutboxCommand(program);
registerWebhooksCommand(program);
registerJobCommands(program);
registerMcpCommand(program, '0.1.0');
registerKeyCommands(program);
registerClockCommand(program);
registerUsersCommand(program);
registerOperationCommands(program);
registerApprovalCommands(program);
registerPolicyCommands(program);
registerAuditCommands(program);
registerConnectCommands(program);
registerSyncCommand(program);
registerRecoverCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed help or the usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  } else {
    const { line, exitCode } = describeError(error);
    process.stderr.write(`leash: ${line}\n`);
    if (process.env.LEASH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
  }
}
