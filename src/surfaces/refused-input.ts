/**
 * The audit row of a refused input (`input.refused`): who sent it, where (the route or tool), which field and what
 * was wrong. Never the value itself: it is what the store could not keep, and may be huge.
 */
import type { InputRefusal } from '../domain/input-guard.ts';
import { recordStep } from '../operations/audit-trail.ts';
import type { OperationContext } from '../operations/define-operation.ts';

/** Records that `context`'s member sent `refusal` to `where` (`POST /api/...` or a tool name). */
export async function recordRefusedInput(
  context: Pick<OperationContext, 'db' | 'actor' | 'channel' | 'requestId'>,
  refusal: InputRefusal,
  where: { route?: string; operation?: string },
): Promise<void> {
  await recordStep(context.db, context, 'input.refused', {
    ...(where.operation ? { operation: where.operation } : {}),
    arguments: { field: refusal.field, problem: refusal.problem, ...(where.route ? { route: where.route } : {}) },
    result: { error: 'bad_input' },
  });
}
