/** `leash approvals list|show|approve|reject`: requests waiting for a second member. */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import type { ApprovalView } from '../../operations/approval-views.ts';
import { printFields, printJson, printTable, showDateTime, showMoney } from '../output.ts';
import { printExecution } from '../print-proposal.ts';
import { runJobIfAny } from '../run-job.ts';

/** Registers the approval commands. */
export function registerApprovalCommands(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('Approval requests: WARN proposals waiting for a second member (never the requester).');

  approvals
    .command('list')
    .description('List approval requests, newest first (default: pending).')
    .option('--status <status>', `pending | approved | rejected | expired | all`, 'pending')
    .option('--as <email>', "only the requests waiting for this member's decision (routed to them, not theirs)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ leash approvals list                            every pending request\n  $ leash approvals list --as fiona@northwind.test  what waits for Fiona to approve or reject',
    )
    .action(async (options: { status: string; as?: string; json?: boolean }) => {
      const [{ APPROVAL_STATUSES, listApprovalViews }, { operationContext }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../operations/approval-views.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
      if (options.status !== 'all' && !(APPROVAL_STATUSES as readonly string[]).includes(options.status)) {
        throw badInput('--status', `unknown status "${options.status}"`);
      }
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'read');
        const views = await listApprovalViews(operationContext(session, actor, session.gate), {
          status: options.status as ApprovalView['status'] | 'all',
          waitingForActor: options.as !== undefined,
        });
        if (options.json) return printJson(views);
        printTable(
          ['approval', 'status', 'operation', 'amount', 'requester', 'approvers', 'expires'],
          views.map((view) => [
            view.id,
            view.status,
            view.operation,
            view.money ? showMoney(view.money.amount, view.money.currency) : '',
            view.requester,
            view.approvers,
            showDateTime(view.expiresAt),
          ]),
          `no ${options.status === 'all' ? '' : `${options.status} `}approval requests${options.as ? ` waiting for ${actor.email}` : ''}`,
        );
      });
    });

  approvals
    .command('show')
    .description('Show one request: the exact action, its server-derived preview, requester, reason and case.')
    .argument('<approval>', 'approval id (apr_…) or handle (aph_…)')
    .option('--as <email>', 'the member reading (default LEASH_USER, else the owner)')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { as?: string; json?: boolean }) => {
      const [{ showApproval }, { loadProposal }, { operationContext }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../operations/approval-views.ts'),
          import('../../operations/proposals.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'read');
        const context = operationContext(session, actor, session.gate);
        const view = await showApproval(context, reference);
        const proposal = await loadProposal(session.store.db, session.org.id, view.proposalId);
        if (options.json) return printJson({ ...view, proposal });
        printFields([
          ['approval', `${view.id} (${view.status})`],
          ['proposal', `${view.proposalId}: ${view.operation}`],
          ['preview', view.summary],
          ['requester', view.requester],
          ['reason', view.reason ?? '—'],
          ['case', view.caseId ?? '—'],
          ['approvers', view.approvers],
          ['expires', showDateTime(view.expiresAt, { zone: true })],
          ['payload sha256', view.payloadHash],
        ]);
        for (const reason of proposal.decision.reasons)
          process.stdout.write(`  · ${reason.message} [${reason.policyId}]\n`);
      });
    });

  approvals
    .command('approve')
    .description('Approve a request you did not make; the exact approved action then executes once.')
    .argument('<approval>', 'approval id (apr_…) or handle (aph_…)')
    .requiredOption('--reason <text>', 'why you approve (kept in the audit log)')
    .option('--as <email>', 'the approving member (or LEASH_USER)')
    .option('--confirm-text <text>', 'type CONFIRM for actions that cannot be undone')
    .option('--json', 'print JSON')
    .action(
      async (reference: string, options: { reason: string; as?: string; confirmText?: string; json?: boolean }) => {
        const [{ approveRequest }, { operationContext }, { resolveActor, withSession }] = await Promise.all([
          import('../../operations/run-operation.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
        await withSession(async (session) => {
          const actor = await resolveActor(session, options.as, 'write');
          const outcome = await approveRequest(operationContext(session, actor, session.gate), reference, {
            reason: options.reason,
            confirmText: options.confirmText,
          });
          if (options.json) printJson(outcome);
          else printExecution(outcome);
          await runJobIfAny(operationContext(session, actor, session.gate), outcome, Boolean(options.json));
          if (outcome.status === 'blocked') process.exitCode = 3;
          if (outcome.status === 'failed') process.exitCode = 1;
        });
      },
    );

  approvals
    .command('reject')
    .description('Reject a request; nothing happens and the requester sees your reason.')
    .argument('<approval>', 'approval id (apr_…) or handle (aph_…)')
    .requiredOption('--reason <text>', 'why you reject')
    .option('--as <email>', 'the deciding member (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { reason: string; as?: string; json?: boolean }) => {
      const [{ rejectRequest }, { operationContext }, { resolveActor, withSession }] = await Promise.all([
        import('../../operations/run-operation.ts'),
        import('../operation-context.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'write');
        const request = await rejectRequest(operationContext(session, actor, session.gate), reference, {
          reason: options.reason,
        });
        if (options.json) return printJson(request);
        process.stdout.write(`${request.id}: rejected\n`);
      });
    });
}
