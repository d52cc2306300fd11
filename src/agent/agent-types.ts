/**
 * The agent's shapes: a planner turns a request into operation calls through `AgentTools` (which only run
 * operations through the pipeline) and answers in words. Both planners, the built-in one and the model-backed
 * one, share these types, so every surface shows their turns the same way.
 */

import type { Chart } from '../operations/period.ts';
import type { ProposalView } from '../operations/proposal-view.ts';

/** What came of one call: a read ran, or a write was proposed and the gate said pass, warn or block. */
export type CallOutcome = 'read' | 'pass' | 'warn' | 'block' | 'error';

/** One operation call of a turn, with what came of it. */
export interface AgentCall {
  operation: string;
  input: Record<string, unknown>;
  outcome: CallOutcome;
  /** A read's output. */
  result?: unknown;
  /** A write's proposal (preview, decision, what happens next). */
  proposal?: ProposalView;
  /** Why the call failed or was refused. */
  error?: { code: string; message: string };
  /**
   * Set on a write proposed in a turn where the planner read text a customer controls (what it read): such a
   * proposal is never confirmed by a bare "yes", only by naming it.
   */
  untrustedContext?: string[];
  /** A proposal's number in its conversation ("confirm 2"). */
  number?: number;
}

/** Something a later turn may point at ("the first one", "all of these"). */
export interface Referent {
  kind: 'customer' | 'invoice' | 'subscription' | 'charge' | 'ticket' | 'proposal';
  id: string;
  label: string;
}

/** A past turn as a planner sees it. */
export interface PastTurn {
  request: string;
  reply: string;
  referents: Referent[];
  calls: (Pick<AgentCall, 'operation' | 'input' | 'outcome'> & { proposalId?: string })[];
}

/** What a planner is asked. */
export interface PlannerRequest {
  text: string;
  /** The conversation's id: the case every write of this conversation is filed under. */
  caseId: string;
  /** Earlier turns of the conversation, oldest first. */
  history: PastTurn[];
  /** The zone the member reads times in (their own; UTC when absent). */
  timeZone?: string | undefined;
}

/** What a planner answers (calls are collected by the tools, not reported by the planner). */
export interface PlannerReply {
  text: string;
  referents: Referent[];
  chart?: Chart | null;
}

/** Progress of a turn as it happens, for streaming surfaces. */
export interface AgentEvents {
  onText?(delta: string): void;
  onCall?(call: AgentCall): void;
}

/** The only way a planner reaches billing: operations through the pipeline, as the session's member. */
export interface AgentTools {
  call(operation: string, input: Record<string, unknown>): Promise<AgentCall>;
  readonly calls: readonly AgentCall[];
  /** Notes that the planner read text a customer controls (e.g. a pasted message), so its writes are marked. */
  noteUntrusted(source: string): void;
  /** What untrusted text the planner read this turn. */
  readonly untrusted: readonly string[];
}

/** Turns a request into calls and words. */
export interface Planner {
  readonly name: string;
  /**
   * Whether what reads return can steer what this planner proposes (a model can follow text it reads). When
   * true or absent, every write after a read of customer-controlled data is marked untrusted.
   */
  readonly dataCanSteer?: boolean;
  respond(request: PlannerRequest, tools: AgentTools, events?: AgentEvents): Promise<PlannerReply>;
}
