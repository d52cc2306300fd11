/**
 * Crash recovery, run at start-up: an execution left `executing` is run again with the same idempotency key,
 * so an effect that already happened is returned by the billing system instead of repeated.
 */
import type { OperationContext } from './define-operation.ts';
import { type ExecutionOutcome, runExecution } from './execute-proposal.ts';
import { loadProposal } from './proposals.ts';

/**
 * Recovers every execution of the context's org left `executing` (started before `startedBefore`, when given: a
 * younger one may still be running in another process); returns what each came to.
 */
export async function recoverExecutions(
  context: OperationContext,
  options: { startedBefore?: Date } = {},
): Promise<ExecutionOutcome[]> {
  let query = context.db
    .selectFrom('executions')
    .select(['id', 'proposalId'])
    .where('orgId', '=', context.actor.orgId)
    .where('status', '=', 'executing');
  if (options.startedBefore) query = query.where('startedAt', '<', options.startedBefore);
  const stuck = await query.orderBy('startedAt').execute();
  const outcomes: ExecutionOutcome[] = [];
  for (const execution of stuck) {
    await context.db
      .updateTable('executions')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', execution.id)
      .execute();
    const proposal = await loadProposal(context.db, context.actor.orgId, execution.proposalId);
    outcomes.push(await runExecution(context, proposal, execution.id, true));
  }
  return outcomes;
}
