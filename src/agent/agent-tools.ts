/**
 * The agent's hands: every call goes through `runRead` or `proposeOperation` as the session's member, on the
 * `agent` channel, with the words that led to it. A write is only ever proposed here; confirming is the
 * person's act (run-turn.ts), approving is a second person's. A call the agent may not make (no such
 * operation) is refused and audited like any other attempt. Reads of customer-controlled text are noted, so
 * the writes of that turn are marked `untrusted_context` and need to be confirmed by name.
 */
import { INTERNAL_MESSAGE, LeashError } from '../domain/errors.ts';
import { recordStep } from '../operations/audit-trail.ts';
import { isRead, type OperationContext } from '../operations/define-operation.ts';
import { parseInput } from '../operations/parse-input.ts';
import { publicFailure } from '../operations/public-failure.ts';
import { registry } from '../operations/registry.ts';
import { proposeOperation, runRead } from '../operations/run-operation.ts';
import type { AgentCall, AgentEvents, AgentTools, CallOutcome } from './agent-types.ts';

/**
 * What a call's failure tells the planner and, through it, the person: bad input names the field, a Leash error
 * says why; anything else (a store's or a library's own message: SQL, table and function names) goes to stderr
 * with the request id, and the answer says only that, as the HTTP and MCP surfaces do.
 */
function failure(error: unknown, requestId: string): { code: string; message: string } {
  const shown = publicFailure(error);
  if (shown) return shown;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`leash agent: internal error (${requestId}): ${detail}\n`);
  return { code: 'internal', message: `${INTERNAL_MESSAGE} (request ${requestId})` };
}

/**
 * Reads whose results hold no text a customer controls (figures, the date, the org's own catalogue). Every
 * other read can carry customer-written text (names, emails, memos, descriptions, metadata, ticket bodies,
 * messages): fail closed, a read not named here taints the turn.
 */
const TRUSTED_READS: ReadonlySet<string> = new Set(['get_billing_date', 'list_plans', 'payment_failure_rates']);

/** True when `operation`'s result may carry customer-controlled text. */
export function readsUntrustedText(operation: string): boolean {
  return !TRUSTED_READS.has(operation);
}

/**
 * Tools bound to one member's context for one turn. With `readsTaint` (a planner that data can steer), every
 * successful read of customer-controlled data is noted in `untrusted`; a planner notes other untrusted text
 * (a pasted message) itself.
 */
export function agentTools(
  context: OperationContext,
  events?: AgentEvents,
  options: { readsTaint?: boolean } = {},
): AgentTools {
  const calls: AgentCall[] = [];
  const untrusted: string[] = [];
  const noteUntrusted = (source: string) => {
    if (!untrusted.includes(source)) untrusted.push(source);
  };
  const readsTaint = options.readsTaint ?? true;
  const agentContext: OperationContext = { ...context, channel: 'agent' };
  const finish = (call: AgentCall): AgentCall => {
    calls.push(call);
    events?.onCall?.(call);
    return call;
  };
  return {
    calls,
    untrusted,
    noteUntrusted,
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
          result: { reason: 'invalid input', error: failure(error, context.requestId) },
        });
        return finish({ operation, input, outcome: 'error', error: failure(error, context.requestId) });
      }
      if (isRead(found)) {
        try {
          const result = await runRead(agentContext, operation, input);
          if (readsTaint && readsUntrustedText(operation)) noteUntrusted(operation);
          return finish({ operation, input, outcome: 'read', result });
        } catch (error) {
          const outcome: CallOutcome = error instanceof LeashError && error.code === 'blocked' ? 'block' : 'error';
          return finish({ operation, input, outcome, error: failure(error, context.requestId) });
        }
      }
      try {
        const proposal = await proposeOperation(agentContext, operation, input);
        const outcome: CallOutcome = proposal.status === 'blocked' ? 'block' : proposal.decision.outcome;
        // Marked at once (the turn marks it again at its end if the planner reads untrusted text later).
        const main = finish({
          operation,
          input,
          outcome,
          proposal,
          ...(untrusted.length > 0 ? { untrustedContext: [...untrusted] } : {}),
        });
        // A proposal made alongside (a bulk action's customer notification) is a card of its own.
        for (const companion of proposal.companions ?? [])
          finish({
            operation: companion.operation,
            input: { proposal_id: proposal.id },
            outcome: companion.status === 'blocked' ? 'block' : companion.decision.outcome,
            proposal: companion,
            ...(untrusted.length > 0 ? { untrustedContext: [...untrusted] } : {}),
          });
        return main;
      } catch (error) {
        return finish({ operation, input, outcome: 'error', error: failure(error, context.requestId) });
      }
    },
  };
}
