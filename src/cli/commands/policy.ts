/** `leash policy check|test|explain|mode`: validate, test and explain the policy in ./policies (or LEASH_POLICY_DIR). */

import { join } from 'node:path';
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import type { WriteOperation } from '../../operations/define-operation.ts';
import { printJson } from '../output.ts';
import { registerPolicyModeCommands } from './policy-modes.ts';

const policyDir = async (dir?: string) =>
  dir ?? process.env.LEASH_POLICY_DIR ?? (await import('../../policy/load-gate.ts')).DEFAULT_POLICY_DIR;

/** Registers the policy commands. */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description(
      'The policy gate: Cedar policies for roles and caps, rules.yaml for profiles, limits and approval routing.',
    );
  registerPolicyModeCommands(policy);

  policy
    .command('check')
    .description(
      'Parse and validate every policy file against the schema; exit 1 on any problem (a broken policy stops all writes).',
    )
    .option('--dir <path>', 'policy directory (default ./policies or LEASH_POLICY_DIR)')
    .option('--json', 'print JSON')
    .action(async (options: { dir?: string; json?: boolean }) => {
      const { loadGate } = await import('../../policy/decide.ts');
      const gate = await loadGate(await policyDir(options.dir));
      if (options.json)
        printJson({ ok: gate.problems.length === 0, version: gate.policyVersion, problems: gate.problems });
      else if (gate.problems.length === 0)
        process.stdout.write(`policy ok (version ${gate.policyVersion.slice(0, 12)})\n`);
      else
        process.stdout.write(
          `policy has problems; every write is blocked until they are fixed:\n${gate.problems.map((problem) => `  · ${problem}`).join('\n')}\n`,
        );
      if (gate.problems.length > 0) process.exitCode = 1;
    });

  policy
    .command('test')
    .description('Run YAML policy cases (actor, operation, facts → expected outcome); exit 1 if any fails.')
    .argument('[path]', "a YAML file or a directory of them (default: the policy directory's tests/)")
    .option('--dir <path>', 'policy directory (default ./policies or LEASH_POLICY_DIR)')
    .option('--json', 'print JSON')
    .action(async (path: string | undefined, options: { dir?: string; json?: boolean }) => {
      const [{ loadGate }, { runPolicyTests }] = await Promise.all([
        import('../../policy/decide.ts'),
        import('../../policy/policy-tests.ts'),
      ]);
      const dir = await policyDir(options.dir);
      const gate = await loadGate(dir);
      const results = runPolicyTests(gate, path ?? join(dir, 'tests'));
      const failed = results.filter((result) => !result.ok);
      if (options.json) printJson({ passed: results.length - failed.length, failed: failed.length, results });
      else {
        for (const result of results)
          process.stdout.write(
            `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}${result.ok ? '' : ` — expected ${result.expected}, got ${result.actual}`}\n`,
          );
        process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
      }
      if (failed.length > 0 || results.length === 0) process.exitCode = 1;
    });

  policy
    .command('explain')
    .description('Explain what the gate would decide for an operation, as a member, without proposing anything.')
    .argument('<operation>', 'operation name (see `leash ops`)')
    .option('--input <json>', 'the operation input as JSON', '{}')
    .option('--as <email>', 'the member (or LEASH_USER)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `\nExample:\n  $ leash policy explain refund_charge --as carl@northwind.test --input '{"charge_id":"ch_…","amount":15000,"reason":"dup","case_id":"T-1"}'`,
    )
    .action(async (name: string, options: { input: string; as?: string; json?: boolean }) => {
      const [
        { isRead },
        { gateRequest },
        { parseInput },
        { registry },
        { explainDecision },
        { operationContext },
        { resolveActor, withSession },
        { modeGrantOf },
      ] = await Promise.all([
        import('../../operations/define-operation.ts'),
        import('../../operations/gate-request.ts'),
        import('../../operations/parse-input.ts'),
        import('../../operations/registry.ts'),
        import('../../policy/explain-decision.ts'),
        import('../operation-context.ts'),
        import('../session.ts'),
        import('../../operations/policy-modes.ts'),
      ]);
      const operation = registry.get(name);
      if (!operation) throw badInput('operation', `no operation ${name}`);
      let raw: unknown;
      try {
        raw = JSON.parse(options.input);
      } catch {
        throw badInput('--input', 'is not valid JSON');
      }
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'read');
        const context = operationContext(session, actor, session.gate);
        const facts = isRead(operation)
          ? { customerIds: [], targetCount: 0, reversible: true }
          : (
              await (operation as WriteOperation<unknown, unknown>).facts(
                context,
                parseInput(operation.input, raw),
                context.connector(session.store.db),
              )
            ).decision;
        const decision = session.gate.decide(
          gateRequest({
            context,
            actor: context.actor,
            operation,
            operationInput: raw,
            facts,
            stage: 'propose',
            proposalId: 'prop_explain',
            modes: await modeGrantOf(session.store.db, context.actor),
          }),
        );
        if (options.json) printJson(decision);
        else process.stdout.write(`${explainDecision(decision)}\n`);
      });
    });
}
