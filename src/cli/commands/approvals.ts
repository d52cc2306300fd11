/** `leash approvals list|show|approve|reject`: requests waiting for a second member. */
import type { Command } from 'commander';
import { type ApprovalRequest, findApprovalRequest, listApprovalRequests } from '../../approvals/approval-requests.ts';
import { listMembers } from '../../auth/members.ts';
import { badInput, notFound } from '../../domain/errors.ts';
import { describeApprovers } from '../../operations/proposal-view.ts';
import { loadProposal } from '../../operations/proposals.ts';
import { approveRequest, rejectRequest } from '../../operations/run-operation.ts';
import { operationContext } from '../operation-context.ts';
import { printFields, printJson, printTable, showMoney } from '../output.ts';
import { printExecution } from '../print-proposal.ts';
import { resolveActor, withSession } from '../session.ts';
import { runJobIfAny } from './jobs.ts';

const STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;

/** Registers the approval commands. */
export function registerApprovalCommands(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('Approval requests: WARN proposals waiting for a second member (never the requester).');

  approvals
    .command('list')
    .description('List approval requests, newest first (default: pending).')
    .option('--status <status>', `pending | approved | rejected | expired | all`, 'pending')
    .option('--json', 'print JSON')
    .action(async (options: { status: string; json?: boolean }) => {
      if (options.status !== 'all' && !(STATUSES as readonly string[]).includes(options.status)) {
        throw badInput('--status', `unknown status "${options.status}"`);
      }
      await withSession(async (session) => {
        const requests = await listApprovalRequests(session.store.db, session.org.id, {
          ...(options.status === 'all' ? {} : { status: options.status as ApprovalRequest['status'] }),
        });
        const members = new Map(
          (await listMembers(session.store.db, session.org.id)).map((member) => [member.id, member.email]),
        );
        const rows = await Promise.all(
          requests.map(async (request) => {
            const proposal = await loadProposal(session.store.db, session.org.id, request.proposalId);
            return { request, proposal, requester: members.get(request.requesterId) ?? request.requesterId };
          }),
        );
        if (options.json) {
          return printJson(
            rows.map(({ request, proposal, requester }) => ({
              ...request,
              requester,
              operation: proposal.operation,
              preview: proposal.preview,
            })),
          );
        }
        printTable(
          ['approval', 'status', 'operation', 'amount', 'requester', 'approvers', 'expires'],
          rows.map(({ request, proposal, requester }) => [
            request.id,
            request.status,
            proposal.operation,
            proposal.moneyAmount !== null && proposal.moneyCurrency
              ? showMoney(proposal.moneyAmount, proposal.moneyCurrency)
              : '',
            requester,
            describeApprovers(request.groups, request.roles),
            request.expiresAt.toISOString().slice(0, 16).replace('T', ' '),
          ]),
          `no ${options.status === 'all' ? '' : `${options.status} `}approval requests`,
        );
      });
    });

  approvals
    .command('show')
    .description('Show one request: the exact action, its server-derived preview, requester, reason and case.')
    .argument('<approval>', 'approval id (apr_…) or handle (aph_…)')
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await withSession(async (session) => {
        const request = await findApprovalRequest(session.store.db, session.org.id, reference);
        if (!request) throw notFound('approval request', reference);
        const proposal = await loadProposal(session.store.db, session.org.id, request.proposalId);
        const requester = (await listMembers(session.store.db, session.org.id)).find(
          (member) => member.id === request.requesterId,
        );
        if (options.json)
          return printJson({ ...request, requester: requester?.email ?? request.requesterId, proposal });
        printFields([
          ['approval', `${request.id} (${request.status})`],
          ['proposal', `${proposal.id}: ${proposal.operation}`],
          ['preview', proposal.preview.summary],
          ['requester', requester?.email ?? request.requesterId],
          ['reason', proposal.reason ?? '—'],
          ['case', proposal.caseId ?? '—'],
          ['approvers', describeApprovers(request.groups, request.roles)],
          ['expires', request.expiresAt.toISOString()],
          ['payload sha256', request.payloadHash],
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
