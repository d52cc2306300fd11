/**
 * Crash recovery, run at start-up: an execution left `executing` is run again with the same idempotency key,
 * so an effect that already happened is returned by the billing system instead of repeated.
 */
import type { OperationContext } from './define-operation.ts';
import { type ExecutionOutcome, runExecution } from './execute-proposal.ts';
import { loadProposal } from './proposals.ts';

/** Recovers every execution of the context's org left `executing`; returns what each came to. */
export async function recoverExecutions(context: OperationContext): Promise<ExecutionOutcome[]> {
  const stuck = await context.db
    .selectFrom('executions')
    .select(['id', 'proposalId'])
    .where('orgId', '=', context.actor.orgId)
    .where('status', '=', 'executing')
    .orderBy('startedAt')
    .execute();
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
