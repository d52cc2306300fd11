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
  /** A read's figures, for surfaces that draw them (the HTTP API and the dashboard). */
  result?: unknown;
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

/** The view of one call (with a read's result when `withResult`). */
export function callView(call: AgentCall, withResult = false): CallView {
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
    ...(withResult && call.outcome === 'read' ? { result: call.result } : {}),
  };
}

/** The view of a turn (reads' results included when `withResults`). */
export function turnView(result: TurnResult, withResults = false): TurnView {
  return {
    conversation_id: result.conversationId,
    title: result.title,
    turn_id: result.turnId,
    reply: result.reply,
    calls: result.calls.map((call) => callView(call, withResults)),
    referents: result.referents,
    chart: result.chart,
  };
}
