/** `leash users list|add|role|time-zone|resume-agent`: the org's members, their role and approver groups, their agents' access. */
import type { Command } from 'commander';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDateTime } from '../output.ts';
import { printExecution, printProposal } from '../print-proposal.ts';
import type { CliSession } from '../session.ts';

const splitGroups = (groups: string | undefined) =>
  groups
    ? groups
        .split(',')
        .map((group) => group.trim())
        .filter(Boolean)
    : [];

/**
 * Team changes go through the gate like any write (kinds identity.user_create / identity.role_change). The
 * command is the requester's own confirmation, so a PASS executes at once; WARN and BLOCK are shown.
 */
async function proposeAndConfirm(
  session: CliSession,
  as: string | undefined,
  operation: string,
  input: Record<string, unknown>,
  json: boolean,
) {
  const [{ confirmProposal, proposeOperation }, { operationContext }, { resolveActor }] = await Promise.all([
    import('../../operations/run-operation.ts'),
    import('../operation-context.ts'),
    import('../session.ts'),
  ]);
  const actor = await resolveActor(session, as, 'write');
  const context = operationContext(session, actor, session.gate);
  const proposal = await proposeOperation(context, operation, input);
  if (proposal.decision.outcome !== 'pass') {
    if (json) printJson(proposal);
    else printProposal(proposal);
    if (proposal.decision.outcome === 'block') process.exitCode = 3;
    return;
  }
  const outcome = await confirmProposal(context, proposal.id);
  if (json) printJson(outcome);
  else printExecution(outcome);
  if (outcome.status !== 'succeeded') process.exitCode = outcome.status === 'blocked' ? 3 : 1;
}

/** Registers the member commands. */
export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description(
      'Members of the org: one role each (owner, billing_manager, billing_clerk, read_only) and approver groups.',
    );

  users
    .command('list')
    .description('List members with their role, approver groups and whether their agent access is paused.')
    .option(...actingAs())
    .option('--json', 'print JSON: [{ email, role, groups, name, agentAccess }]')
    .action(async (options: { as?: string; json?: boolean }) => {
      const [{ listMembers }, { pausedAgentMembers }, { resolveActor, withSession }] = await Promise.all([
        import('../../auth/members.ts'),
        import('../../auth/agent-access.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        const members = await listMembers(session.store.db, session.org.id);
        const paused = await pausedAgentMembers(session.store.db, session.org.id);
        const agentAccess = (id: string) => (paused.has(id) ? 'paused' : 'on');
        if (options.json)
          return printJson(
            members.map(({ id, email, role, groups, name }) => ({
              email,
              role,
              groups,
              name,
              agentAccess: agentAccess(id),
            })),
          );
        printTable(
          ['email', 'role', 'groups', 'name', 'agents'],
          members.map((member) => [
            member.email,
            member.role,
            member.groups.join(', '),
            member.name,
            agentAccess(member.id),
          ]),
        );
      });
    });

  users
    .command('add')
    .description('Add a member (the owner decides; the policy gate checks it like any change).')
    .argument('<email>', 'their email')
    .requiredOption('--role <role>', 'billing_manager | billing_clerk | read_only')
    .option('--groups <g1,g2>', 'approver groups: finance, support_lead, legal, founder')
    .option('--name <name>', 'display name')
    .option('--reason <text>', 'why (kept in the audit log)', 'team change')
    .option('--case <id>', 'a ticket or case reference', 'team')
    .option('--as <email>', 'the member acting: the owner (or LEASH_USER)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ leash users add fiona@acme.test --role billing_manager --groups finance --as owner@acme.test',
    )
    .action(
      async (
        email: string,
        options: {
          role: string;
          groups?: string;
          name?: string;
          reason: string;
          case: string;
          as?: string;
          json?: boolean;
        },
      ) => {
        const { withSession } = await import('../session.ts');
        await withSession((session) =>
          proposeAndConfirm(
            session,
            options.as,
            'add_member',
            {
              email,
              role: options.role,
              groups: splitGroups(options.groups),
              ...(options.name ? { name: options.name } : {}),
              reason: options.reason,
              case_id: options.case,
            },
            options.json ?? false,
          ),
        );
      },
    );

  users
    .command('time-zone')
    .description(
      'Show or set the time zone your times are shown in (chat, cards, approval expiry, the CLI, the dashboard). Yours only; a change is audited.',
    )
    .argument('[zone]', 'an IANA time zone, such as Europe/London, Asia/Kolkata or UTC (omit to show yours)')
    .option('--clear', 'clear yours: times read in UTC again')
    .option(...actingAs('the member whose time zone it is (setting one needs it or LEASH_USER)'))
    .option('--json', 'print JSON: { email, timeZone, shownIn }')
    .addHelpText('after', '\nExample:\n  $ leash users time-zone Asia/Kolkata --as fiona@northwind.test')
    .action(async (zone: string | undefined, options: { clear?: boolean; as?: string; json?: boolean }) => {
      const [{ parseTimeZone, setMemberTimeZone }, { readerTimeZone }, { LeashError }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../auth/members.ts'),
          import('../../domain/person-time.ts'),
          import('../../domain/errors.ts'),
          import('../session.ts'),
        ]);
      if (zone !== undefined && options.clear)
        throw new LeashError('bad_input', 'give a zone or --clear, not both', { field: 'clear' });
      const chosen = zone === undefined ? undefined : parseTimeZone(zone, 'zone');
      await withSession(async (session) => {
        const changing = chosen !== undefined || options.clear === true;
        let member = await resolveActor(session, options.as, changing ? 'write' : 'read');
        if (changing) member = await setMemberTimeZone(session.store.db, member, chosen ?? null, { channel: 'cli' });
        const shownIn = readerTimeZone(member);
        if (options.json) return printJson({ email: member.email, timeZone: member.timeZone, shownIn });
        process.stdout.write(
          member.timeZone
            ? `${member.email}: ${member.timeZone}${changing ? ' (saved)' : ''}\n`
            : `${member.email}: none set${changing ? ' (cleared)' : ''}; times are shown in ${shownIn}\n`,
        );
      });
    });

  users
    .command('resume-agent')
    .description("Resume a member's agent access (MCP and the built-in agent), paused after too many blocked attempts.")
    .argument('<email>', 'the member whose agent access is paused')
    .option('--as <email>', 'the member acting: an owner (or LEASH_USER)')
    .option('--json', 'print JSON: { email, stoppedAt, blockedAttempts, resumedAt }')
    .addHelpText(
      'after',
      `
A member's agents (MCP clients, the built-in agent) are paused after LEASH_AGENT_STOP_AFTER (10) blocked attempts
within LEASH_AGENT_STOP_WINDOW_MINUTES (15) on those channels: every further MCP or agent request of theirs is
refused until an owner resumes it here. Their own CLI commands, REST API and dashboard pages other than chat
stay open. Both are in the audit log (channel.stopped, channel.resumed); attempts before the resume do not count
again. \`leash users list\` shows whose agent access is paused.

Example:
  $ leash users resume-agent carl@northwind.test --as olivia@northwind.test`,
    )
    .action(async (email: string, options: { as?: string; json?: boolean }) => {
      const [{ resumeAgentAccess }, { resolveActor, withSession }] = await Promise.all([
        import('../../auth/agent-access.ts'),
        import('../session.ts'),
      ]);
      const resumed = await withSession(async (session) =>
        resumeAgentAccess(session.store.db, await resolveActor(session, options.as, 'write'), email),
      );
      if (options.json) return printJson(resumed);
      process.stdout.write(
        `Agent access of ${resumed.email} resumed (paused ${showDateTime(resumed.stoppedAt, { zone: true })} after ${resumed.blockedAttempts} blocked attempts).\n`,
      );
    });

  users
    .command('role')
    .description("Change a member's role; it applies to their very next action.")
    .argument('<email>', 'the member')
    .argument('<role>', 'billing_manager | billing_clerk | read_only')
    .option('--groups <g1,g2>', 'also replace their approver groups')
    .option('--reason <text>', 'why (kept in the audit log)', 'team change')
    .option('--case <id>', 'a ticket or case reference', 'team')
    .option('--as <email>', 'the member acting: the owner (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(
      async (
        email: string,
        role: string,
        options: { groups?: string; reason: string; case: string; as?: string; json?: boolean },
      ) => {
        const { withSession } = await import('../session.ts');
        await withSession((session) =>
          proposeAndConfirm(
            session,
            options.as,
            'change_member_role',
            {
              email,
              role,
              ...(options.groups === undefined ? {} : { groups: splitGroups(options.groups) }),
              reason: options.reason,
              case_id: options.case,
            },
            options.json ?? false,
          ),
        );
      },
    );
}
