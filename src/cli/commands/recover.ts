/** `leash recover`: run again the executions a crash left unfinished, with their idempotency keys. */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

/** Registers `leash recover`. */
export function registerRecoverCommand(program: Command): void {
  program
    .command('recover')
    .description('Finish executions a crash left unfinished (leash start does this at start-up).')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
An execution is claimed, then the billing system is called, then the result is recorded. A crash between the
call and the record leaves it "executing". Recovery calls again with the same idempotency key: the ledger and
Stripe return the effect that already happened instead of repeating it (after a day, when Stripe has forgotten
the key, Leash first looks for the effect by the key in its metadata). Executions started in the last two
minutes are left alone: another process may still be running them.

Examples:
  $ leash recover
  $ leash recover --json`,
    )
    .action(async (options: { json?: boolean }) => {
      const [{ recoverAllExecutions }, { loadGate }, { withSession }] = await Promise.all([
        import('../../surfaces/maintenance.ts'),
        import('../../policy/decide.ts'),
        import('../session.ts'),
      ]);
      const gate = await loadGate(process.env.LEASH_POLICY_DIR);
      const recovered = await withSession((session) => recoverAllExecutions(session.store, gate));
      const outcomes = recovered.flatMap(({ org, outcomes }) =>
        outcomes.map((outcome) => ({ org: org.id, ...outcome })),
      );
      if (options.json) return printJson({ recovered: outcomes });
      if (outcomes.length === 0) {
        process.stdout.write('Nothing to recover: no execution was left unfinished.\n');
        return;
      }
      printTable(
        ['proposal', 'outcome', 'execution'],
        outcomes.map((outcome) => [outcome.proposalId, outcome.status, outcome.executionId ?? '']),
      );
    });
}
