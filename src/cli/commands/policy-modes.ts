/**
 * `leash policy mode show|set`: the org's Insight / Act / Integrate modes (issue 20). `set` proposes
 * set_policy_modes through the gate like any write; the command is the owner's own confirmation, so a PASS
 * applies at once, a WARN (turning modes on under short-leash) waits for a second person, a BLOCK exits 3.
 */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import { printJson, printTable, showMoney } from '../output.ts';
import { printExecution, printProposal } from '../print-proposal.ts';

const PRESETS = ['insight-only', 'support-act', 'full', 'custom'];
const MODE_NAMES = ['insight', 'act', 'integrate'];

/** Reads `--modes insight,act` (insight is always on, so it is added when left out). */
function parseModes(text: string): string[] {
  const modes = text
    .split(',')
    .map((mode) => mode.trim().toLowerCase())
    .filter(Boolean);
  const unknown = modes.filter((mode) => !MODE_NAMES.includes(mode));
  if (unknown.length > 0) throw badInput('--modes', `unknown mode ${unknown.join(', ')} (insight, act, integrate)`);
  return MODE_NAMES.filter((mode) => mode === 'insight' || modes.includes(mode));
}

/** Reads `--credit-limit 50` (major units) into minor units. */
async function parseLimit(text: string, currency: string): Promise<{ amount: number; currency: string }> {
  const { isCurrency, parseMajorUnits } = await import('../../domain/money.ts');
  const code = currency.toLowerCase();
  if (!isCurrency(code)) throw badInput('--currency', 'must be one of usd, eur, gbp, inr, brl, jpy');
  const amount = /^\d{1,9}(\.\d{1,2})?$/.test(text.trim()) ? parseMajorUnits(text.trim(), code) : undefined;
  if (amount === undefined) throw badInput('--credit-limit', 'must be an amount like 50 or 49.99');
  return { amount, currency: code };
}

interface SetOptions {
  role?: string;
  member?: string[];
  modes?: string;
  creditLimit?: string;
  currency: string;
  reason: string;
  case: string;
  as?: string;
  json?: boolean;
}

/** The set_policy_modes input the options ask for. */
async function setInput(preset: string, options: SetOptions): Promise<Record<string, unknown>> {
  if (!PRESETS.includes(preset)) throw badInput('preset', `must be one of ${PRESETS.join(', ')}`);
  const targets = (options.role ? 1 : 0) + (options.member?.length ?? 0);
  if (targets > 0 && !options.modes) throw badInput('--modes', 'give the modes for --role / --member');
  if (options.modes && targets === 0) throw badInput('--modes', 'goes with --role or --member');
  const modes = options.modes ? parseModes(options.modes) : [];
  return {
    preset,
    ...(options.role ? { roles: { [options.role]: modes } } : {}),
    ...(options.member?.length ? { members: Object.fromEntries(options.member.map((email) => [email, modes])) } : {}),
    ...(options.creditLimit ? { credit_limit: await parseLimit(options.creditLimit, options.currency) } : {}),
    reason: options.reason,
    case_id: options.case,
  };
}

/** Registers `policy mode show|set` under `policy`. */
export function registerPolicyModeCommands(policy: Command): void {
  const mode = policy
    .command('mode')
    .description(
      'Insight / Act / Integrate modes: which kinds of action each role may take (start with insight-only, then widen).',
    );

  mode
    .command('show')
    .description('Show the preset, a table of roles × modes, member overrides and the Act limits.')
    .option('--as <email>', 'the member (or LEASH_USER)')
    .option('--json', 'print JSON: { preset, readable, roles, members, act }')
    .action(async (options: { as?: string; json?: boolean }) => {
      const [{ viewModes }, { resolveActor, withSession }] = await Promise.all([
        import('../../operations/policy-modes.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        const view = await viewModes(session.store.db, session.org.id);
        if (options.json) return printJson(view);
        process.stdout.write(`Preset: ${view.preset}${view.readable ? '' : ' (settings unreadable: Insight only)'}\n`);
        const cell = (modes: string[], name: string) => (modes.includes(name) ? 'on' : 'off');
        printTable(
          ['role', ...MODE_NAMES],
          view.roles.map((row) => [row.role, ...MODE_NAMES.map((name) => cell(row.modes, name))]),
        );
        if (view.members.length > 0)
          printTable(
            ['member', ...MODE_NAMES],
            view.members.map((row) => [row.email, ...MODE_NAMES.map((name) => cell(row.modes, name))]),
          );
        const limit = view.act.creditLimit;
        process.stdout.write(
          `Act kinds: ${view.act.kinds?.join(', ') ?? 'all'}\nCredit limit: ${limit ? showMoney(limit.amount, limit.currency) : 'none'}\n`,
        );
      });
    });

  mode
    .command('set')
    .description(
      'Propose new modes: a preset (insight-only, support-act, full), or custom per role / member. Owner only; turning modes on under short-leash needs a second person.',
    )
    .argument('<preset>', 'insight-only | support-act | full | custom (keep the rest, change what the options say)')
    .option('--role <role>', 'set this role’s modes (with --modes)')
    .option('--member <email...>', 'set these members’ modes (with --modes); overrides their role')
    .option('--modes <list>', 'the modes, comma-separated: insight,act,integrate (insight is always on)')
    .option('--credit-limit <amount>', 'largest credit Act mode allows, in major units (support-act default: 50)')
    .option('--currency <code>', 'currency of --credit-limit', 'usd')
    .option('--reason <text>', 'why (kept in the audit log)', 'mode change')
    .option('--case <id>', 'a ticket or case reference', 'modes')
    .option('--as <email>', 'the member acting: the owner (or LEASH_USER)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ leash policy mode set insight-only\n  $ leash policy mode set support-act --credit-limit 50\n  $ leash policy mode set custom --role billing_clerk --modes insight,act',
    )
    .action(async (preset: string, options: SetOptions) => {
      const input = await setInput(preset, options);
      const [{ confirmProposal, proposeOperation }, { operationContext }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../operations/run-operation.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'write');
        const context = operationContext(session, actor, session.gate);
        const proposal = await proposeOperation(context, 'set_policy_modes', input);
        if (proposal.decision.outcome !== 'pass') {
          if (options.json) printJson(proposal);
          else printProposal(proposal);
          if (proposal.decision.outcome === 'block') process.exitCode = 3;
          return;
        }
        const outcome = await confirmProposal(context, proposal.id);
        if (options.json) printJson(outcome);
        else {
          printProposal(proposal);
          printExecution(outcome);
        }
        if (outcome.status !== 'succeeded') process.exitCode = outcome.status === 'blocked' ? 3 : 1;
      });
    });
}
