/**
 * What surfaces return for a turn: the reply and each call's operation, input and outcome (no bulky results); a
 * proposal with its number in the conversation, its changes and whether it followed customer-supplied text.
 */
import type { AgentCall, Referent } from './agent-types.ts';
import type { TurnResult } from './run-turn.ts';

/** A proposal as a turn shows it: its number in the conversation, every change, and whether it followed data. */
export interface ProposalCallView {
  id: string;
  status: string;
  summary: string;
  next: string;
  /** Its number in the conversation: "confirm 2" names it. */
  number?: number;
  /** Every field it changes, with the value before and after. */
  changes?: { field: string; from: unknown; to: unknown }[];
  /** Proposed after the planner read customer-supplied text: a bare "yes" never confirms it. */
  untrusted_context?: boolean;
  /** What that text was (the reads, or "quoted text in the request"). */
  untrusted_sources?: string[];
}

/** A call as surfaces show it. */
export interface CallView {
  operation: string;
  input: Record<string, unknown>;
  outcome: AgentCall['outcome'];
  proposal?: ProposalCallView;
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
            ...(call.number !== undefined ? { number: call.number } : {}),
            changes: call.proposal.preview.changes,
            untrusted_context: Boolean(call.untrustedContext?.length),
            ...(call.untrustedContext?.length ? { untrusted_sources: call.untrustedContext } : {}),
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
