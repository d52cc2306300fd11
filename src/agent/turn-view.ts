/** What surfaces return for a turn: the reply and each call's operation, input and outcome (no bulky results). */
import type { AgentCall, Referent } from './agent-types.ts';
import type { TurnResult } from './run-turn.ts';

/** A call as surfaces show it. */
export interface CallView {
  operation: string;
  input: Record<string, unknown>;
  outcome: AgentCall['outcome'];
  proposal?: { id: string; status: string; summary: string; next: string };
  error?: { code: string; message: string };
}

/** A turn as surfaces return it. */
export interface TurnView {
  conversation_id: string;
  title: string;
  turn_id: string;
  reply: string;
  calls: CallView[];
  referents: Referent[];
  chart: Record<string, unknown> | null;
}

/** The view of one call. */
export function callView(call: AgentCall): CallView {
  return {
    operation: call.operation,
    input: call.input,
    outcome: call.outcome,
    ...(call.proposal
      ? {
          proposal: {
            id: call.proposal.id,
            status: call.proposal.status,
            summary: call.proposal.preview.summary,
            next: call.proposal.next,
          },
        }
      : {}),
    ...(call.error ? { error: call.error } : {}),
  };
}

/** The view of a turn. */
export function turnView(result: TurnResult): TurnView {
  return {
    conversation_id: result.conversationId,
    title: result.title,
    turn_id: result.turnId,
    reply: result.reply,
    calls: result.calls.map(callView),
    referents: result.referents,
    chart: result.chart,
  };
}
