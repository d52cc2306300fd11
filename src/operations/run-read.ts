/** Runs a read operation at once: validate → gate (data.read still passes the policy) → run → audit. */
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { recordStep } from './audit-trail.ts';
import { isRead, type OperationContext, type ReadOperation } from './define-operation.ts';
import { gateRequest } from './gate-request.ts';
import { parseInput } from './parse-input.ts';
import { findOperation } from './registry.ts';

/** Runs the read `name` with `rawInput` as the context's actor and returns its output. */
export async function runRead(context: OperationContext, name: string, rawInput: unknown): Promise<unknown> {
  const found = findOperation(name);
  if (!found) throw new LeashError('not_found', `no operation ${name} (see \`leash ops\`)`, { field: 'operation' });
  if (!isRead(found))
    throw new LeashError('bad_input', `${name} changes billing: propose it, then confirm or get it approved`, {
      field: 'operation',
    });
  const operation = found as ReadOperation<unknown, unknown>;
  const input = parseInput(operation.input, rawInput);
  const decision = context.gate.decide(
    gateRequest({
      context,
      actor: context.actor,
      operation,
      operationInput: input,
      facts: { customerIds: [], targetCount: 0, reversible: true },
      stage: 'propose',
      proposalId: newId('proposal'),
    }),
  );
  if (decision.outcome === 'block') {
    await recordStep(context.db, context, 'decision.made', { operation: name, arguments: input, decision });
    throw new LeashError('blocked', decision.reasons.map((reason) => reason.message).join('; '));
  }
  let output: unknown;
  try {
    output = await operation.run(context, input, context.connector(context.db));
  } catch (error) {
    // A failed look-up (a missing id, another org's id) is still an attempt worth a row.
    if (error instanceof LeashError) {
      await recordStep(context.db, context, 'data.read', {
        operation: name,
        arguments: input,
        result: { error: error.code, message: error.message },
      });
    }
    throw error;
  }
  await recordStep(context.db, context, operation.kind === 'data.export' ? 'data.exported' : 'data.read', {
    operation: name,
    arguments: input,
    subjects: operation.subjects?.(input, output) ?? {},
  });
  return output;
}
