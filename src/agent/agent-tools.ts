/**
 * The agent's hands: every call goes through `runRead` or `proposeOperation` as the session's member, on the
 * `agent` channel, with the words that led to it. A write is only ever proposed here; confirming is the
 * person's act (run-turn.ts), approving is a second person's. A call the agent may not make (no such
 * operation) is refused and audited like any other attempt.
 */
import { LeashError } from '../domain/errors.ts';
import { recordStep } from '../operations/audit-trail.ts';
import { isRead, type OperationContext } from '../operations/define-operation.ts';
import { parseInput } from '../operations/parse-input.ts';
import { registry } from '../operations/registry.ts';
import { proposeOperation, runRead } from '../operations/run-operation.ts';
import type { AgentCall, AgentEvents, AgentTools, CallOutcome } from './agent-types.ts';

function failure(error: unknown): { code: string; message: string } {
  if (error instanceof LeashError) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** Tools bound to one member's context for one turn. */
export function agentTools(context: OperationContext, events?: AgentEvents): AgentTools {
  const calls: AgentCall[] = [];
  const agentContext: OperationContext = { ...context, channel: 'agent' };
  const finish = (call: AgentCall): AgentCall => {
    calls.push(call);
    events?.onCall?.(call);
    return call;
  };
  return {
    calls,
    async call(operation, input) {
      const found = registry.get(operation);
      if (!found) {
        await recordStep(agentContext.db, agentContext, 'agent.call_refused', {
          operation,
          arguments: input,
          result: { reason: 'no such operation' },
        });
        return finish({
          operation,
          input,
          outcome: 'block',
          error: { code: 'not_found', message: `there is no operation ${operation}; nothing was done` },
        });
      }
      try {
        parseInput(found.input, input);
      } catch (error) {
        // The pipeline refuses bad input before it writes anything; the agent's attempt is logged all the same.
        await recordStep(agentContext.db, agentContext, 'agent.call_refused', {
          operation,
          arguments: input,
          result: { reason: 'invalid input', error: failure(error) },
        });
        return finish({ operation, input, outcome: 'error', error: failure(error) });
      }
      if (isRead(found)) {
        try {
          return finish({ operation, input, outcome: 'read', result: await runRead(agentContext, operation, input) });
        } catch (error) {
          const outcome: CallOutcome = error instanceof LeashError && error.code === 'blocked' ? 'block' : 'error';
          return finish({ operation, input, outcome, error: failure(error) });
        }
      }
      try {
        const proposal = await proposeOperation(agentContext, operation, input);
        const outcome: CallOutcome = proposal.status === 'blocked' ? 'block' : proposal.decision.outcome;
        return finish({ operation, input, outcome, proposal });
      } catch (error) {
        return finish({ operation, input, outcome: 'error', error: failure(error) });
      }
    },
  };
}
