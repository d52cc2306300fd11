/** `leash ops`, `leash run`, `leash confirm`: the operation catalogue and the propose → confirm pipeline. */
import type { Command } from 'commander';
import type { ZodType } from 'zod';
import { badInput, LeashError } from '../../domain/errors.ts';
import type { ExecutionOutcome, ProposalView } from '../../operations/run-operation.ts';
import { printJson, printTable } from '../output.ts';
import { printExecution, printProposal } from '../print-proposal.ts';
import { runJobIfAny } from '../run-job.ts';

/** The catalogue as `leash ops --json` prints it (also the MCP tool list's source). */
export async function describeOperations() {
  const [{ z }, { registry }] = await Promise.all([import('zod'), import('../../operations/registry.ts')]);
  return [...registry.values()].map((operation) => ({
    name: operation.name,
    kind: operation.kind,
    description: operation.description,
    input_schema: z.toJSONSchema(operation.input as ZodType, { io: 'input' }),
  }));
}

function parseJsonInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badInput(
      '--input',
      'is not valid JSON (example: --input \'{"charge_id":"ch_…","reason":"duplicate","case_id":"T-1"}\')',
    );
  }
}

/** `--notify` and `--template` folded into the input (the operation's schema validates them, naming the field). */
function withNotify(input: unknown, options: { notify?: boolean; template?: string }): unknown {
  if (!options.notify && options.template === undefined) return input;
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw badInput('--input', 'must be a JSON object to take --notify or --template');
  return {
    ...input,
    ...(options.notify ? { notify: true } : {}),
    ...(options.template !== undefined ? { template: options.template } : {}),
  };
}

/** Registers ops, run and confirm. */
export function registerOperationCommands(program: Command): void {
  program
    .command('ops')
    .description('List every operation: name, kind (data.read, money.refund, …) and input schema.')
    .option('--json', 'print JSON: [{ name, kind, description, input_schema }]')
    .action(async (options: { json?: boolean }) => {
      const operations = await describeOperations();
      if (options.json) return printJson(operations);
      printTable(
        ['operation', 'kind', 'description'],
        operations.map((operation) => [operation.name, operation.kind, operation.description]),
      );
    });

  program
    .command('run')
    .description(
      'Run an operation: a read runs at once; a write returns a proposal (preview + decision) and changes nothing.',
    )
    .argument('<operation>', 'operation name (see `leash ops`)')
    .option('--input <json>', 'the input as JSON, money in minor units', '{}')
    .option('--as <email>', 'the member acting (or LEASH_USER)')
    .option('--notify', 'bulk actions: email each customer whose change succeeds (one messaging.broadcast approval)')
    .option('--template <text>', 'with --notify: the notification text, placeholders like {{customer_name}}')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ leash run get_invoice --input '{"number":"INV-000042"}'
  $ leash run bulk_migrate_plan --as max@northwind.test --notify \\
      --input '{"from_price_id":"price_…","to_price_id":"price_…","reason":"retire Basic","case_id":"T-7"}'
  $ leash run refund_charge --as carl@northwind.test \\
      --input '{"charge_id":"ch_…","amount":2500,"reason":"charged twice","case_id":"T-1042"}'

A write prints the proposal id, the preview and the decision:
  pass  → the requester confirms: leash confirm PROPOSAL --as EMAIL
  warn  → a second member approves: leash approvals approve APPROVAL --as EMAIL
  block → nothing happens; the reasons say why (exit code 3)`,
    )
    .action(
      async (
        name: string,
        options: { input: string; as?: string; json?: boolean; notify?: boolean; template?: string },
      ) => {
        const [
          { isRead },
          { registry },
          { proposeOperation, runRead },
          { operationContext },
          { resolveActor, withSession },
        ] = await Promise.all([
          import('../../operations/define-operation.ts'),
          import('../../operations/registry.ts'),
          import('../../operations/run-operation.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
        const operation = registry.get(name);
        if (!operation) throw new LeashError('not_found', `no operation ${name} (see \`leash ops\`)`);
        const input = withNotify(parseJsonInput(options.input), options);
        await withSession(async (session) => {
          const actor = await resolveActor(session, options.as, isRead(operation) ? 'read' : 'write');
          const context = operationContext(session, actor, session.gate);
          if (isRead(operation)) return printJson(await runRead(context, name, input));
          const proposal: ProposalView = await proposeOperation(context, name, input);
          if (options.json) printJson(proposal);
          else printProposal(proposal);
          if (proposal.decision.outcome === 'block') process.exitCode = 3;
        });
      },
    );

  program
    .command('confirm')
    .description('Confirm your own PASS proposal: it runs once, on the facts as they are now.')
    .argument('<proposal>', 'proposal id (prop_…)')
    .option('--as <email>', 'the member who proposed it (or LEASH_USER)')
    .option('--confirm-text <text>', 'type CONFIRM for actions that cannot be undone')
    .option('--json', 'print JSON')
    .action(async (proposalId: string, options: { as?: string; confirmText?: string; json?: boolean }) => {
      const [{ confirmProposal }, { operationContext }, { resolveActor, withSession }] = await Promise.all([
        import('../../operations/run-operation.ts'),
        import('../operation-context.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'write');
        const outcome: ExecutionOutcome = await confirmProposal(
          operationContext(session, actor, session.gate),
          proposalId,
          {
            confirmText: options.confirmText,
          },
        );
        if (options.json) printJson(outcome);
        else printExecution(outcome);
        await runJobIfAny(operationContext(session, actor, session.gate), outcome, Boolean(options.json));
        if (outcome.status === 'blocked') process.exitCode = 3;
        if (outcome.status === 'failed') process.exitCode = 1;
      });
    });
}
