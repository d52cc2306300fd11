/**
 * One turn of a conversation, for every surface (CLI ask/chat, HTTP, dashboard): load or start the
 * conversation, let the person's own "yes" / "CONFIRM" confirm what the previous turn proposed (a planner never
 * confirms), otherwise hand the request to the planner, then add the server-derived preview and next step of
 * every proposal to the reply and store the turn.
 */

import { LeashError } from '../domain/errors.ts';
import { storableText } from '../domain/storable-text.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { ExecutionOutcome } from '../operations/execute-proposal.ts';
import { loadProposal, type Proposal } from '../operations/proposals.ts';
import { confirmProposal } from '../operations/run-operation.ts';
import { agentTools } from './agent-tools.ts';
import type { AgentCall, AgentEvents, PastTurn, Planner, PlannerReply, Referent } from './agent-types.ts';
import {
  appendTurn,
  createConversation,
  findConversation,
  type Owner,
  pastTurns,
  storedCall,
} from './conversations.ts';

/** The longest request a turn takes. */
export const MAX_REQUEST_LENGTH = 4000;

/** What a turn produced. */
export interface TurnResult {
  conversationId: string;
  title: string;
  turnId: string;
  reply: string;
  calls: AgentCall[];
  referents: Referent[];
  chart: Record<string, unknown> | null;
  planner: string;
  /** Executions the person's confirmation started (a bulk job still has to be run by the surface). */
  executions: ExecutionOutcome[];
}

/** The pseudo-operation a person's confirmation is listed as among a turn's calls. */
export const CONFIRM = 'confirm_proposal';

const YES = /^(?:yes|y|yep|yeah|sure|ok(?:ay)?|confirm(?:ed)?|go(?:\s+ahead)?|do\s+it|proceed|please\s+do)[.!]?$/i;
const NO = /^(?:no|n|nope|cancel|stop|don'?t|never\s*mind|abort)[.!]?$/i;

/** Runs one turn as the context's member. */
export async function runAgentTurn(input: {
  context: OperationContext;
  planner: Planner;
  text: string;
  conversationId?: string | undefined;
  events?: AgentEvents;
}): Promise<TurnResult> {
  const { context, planner } = input;
  // NUL and lone surrogates cannot be stored as text: they become a space and U+FFFD before anything else runs.
  const text = storableText(input.text).trim();
  if (text.length === 0)
    throw new LeashError('bad_input', 'say what you need, e.g. "Show me overdue invoices"', { field: 'message' });
  if (text.length > MAX_REQUEST_LENGTH)
    throw new LeashError('bad_input', `a request is at most ${MAX_REQUEST_LENGTH} characters`, { field: 'message' });
  const owner: Owner = { orgId: context.actor.orgId, memberId: context.actor.memberId };
  const conversation = input.conversationId
    ? await findConversation(context.db, owner, input.conversationId)
    : await createConversation(context.db, owner, text, planner.name);
  const history = await pastTurns(context.db, owner, conversation.id);
  const turnContext: OperationContext = { ...context, userInput: text };
  const tools = agentTools(turnContext, input.events);
  const executions: ExecutionOutcome[] = [];

  const pending =
    YES.test(text) || NO.test(text) || text === 'CONFIRM' ? await pendingConfirmations(context, history) : [];
  const confirmations: AgentCall[] = [];
  let answer: PlannerReply;
  if (pending.length > 0 && (YES.test(text) || text === 'CONFIRM')) {
    answer = await confirmPending(
      turnContext,
      pending,
      text,
      { record: (call) => confirmations.push(call) },
      executions,
    );
  } else if (pending.length > 0 && NO.test(text)) {
    answer = {
      text: 'Nothing was done: what I proposed stays unconfirmed. (A request already sent for approval can be withdrawn by rejecting it.)',
      referents: [],
    };
  } else {
    answer = await planner.respond({ text, caseId: conversation.id, history }, tools, input.events);
  }
  const calls = [...confirmations, ...tools.calls];
  const reply = withProposals(answer.text, calls);
  const stored = await appendTurn(context.db, owner, conversation.id, {
    request: text,
    reply,
    calls: calls.map(storedCall),
    referents: answer.referents,
    chart: (answer.chart as Record<string, unknown> | null | undefined) ?? null,
    planner: planner.name,
  });
  return {
    conversationId: conversation.id,
    title: conversation.title,
    turnId: stored.id,
    reply,
    calls,
    referents: answer.referents,
    chart: stored.chart,
    planner: planner.name,
    executions,
  };
}

/**
 * Proposals of the latest turn that proposed anything (looking back over turns that only said yes or no) that
 * still wait for their requester's confirmation, by their current status in the store.
 */
async function pendingConfirmations(context: OperationContext, history: PastTurn[]): Promise<Proposal[]> {
  for (const turn of [...history].reverse().slice(0, 4)) {
    const ids = turn.calls
      .filter((call) => (call.outcome === 'pass' || call.outcome === 'warn') && call.operation !== CONFIRM)
      .map((call) => call.proposalId)
      .filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) {
      if (turn.calls.some((call) => call.operation !== CONFIRM)) return [];
      continue;
    }
    const proposals = await Promise.all(ids.map((id) => loadProposal(context.db, context.actor.orgId, id)));
    return proposals.filter((proposal) => proposal.requesterId === context.actor.memberId);
  }
  return [];
}

async function confirmPending(
  context: OperationContext,
  pending: Proposal[],
  text: string,
  tools: { record(call: AgentCall): void },
  executions: ExecutionOutcome[],
): Promise<PlannerReply> {
  const lines: string[] = [];
  for (const proposal of pending) {
    const summary = proposal.preview.summary;
    if (proposal.status === 'awaiting_approval') {
      lines.push(
        `${summary}: this needs a second person's approval, so I cannot go ahead; it waits in the approval queue.`,
      );
      continue;
    }
    if (proposal.status !== 'awaiting_confirmation') {
      lines.push(`${summary}: already ${proposal.status.replace('_', ' ')}.`);
      continue;
    }
    if (proposal.decision.needsConfirmText && text !== 'CONFIRM') {
      lines.push(`${summary}: this cannot be undone. Type CONFIRM to proceed.`);
      continue;
    }
    const input = { proposal_id: proposal.id };
    try {
      const outcome = await confirmProposal(context, proposal.id, {
        confirmText: text === 'CONFIRM' ? 'CONFIRM' : undefined,
      });
      executions.push(outcome);
      tools.record({
        operation: CONFIRM,
        input,
        outcome: outcome.status === 'blocked' ? 'block' : 'pass',
        result: outcome,
      });
      lines.push(
        outcome.status === 'succeeded'
          ? `Done: ${summary}.`
          : outcome.status === 'executing'
            ? `Started: ${summary}.`
            : `Not done (${outcome.status}): ${outcome.reasons.map((reason) => reason.message).join('; ') || summary}.`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof LeashError ? error.code : 'internal';
      tools.record({
        operation: CONFIRM,
        input,
        outcome: code === 'blocked' ? 'block' : 'error',
        error: { code, message },
      });
      lines.push(`Not done: ${message}.`);
    }
  }
  return { text: lines.join('\n'), referents: [] };
}

/** The reply with each proposal's server-derived summary, decision and next step after the planner's words. */
function withProposals(text: string, calls: readonly AgentCall[]): string {
  const blocks = calls
    .filter((call) => call.proposal)
    .map((call) => {
      const proposal = call.proposal as NonNullable<AgentCall['proposal']>;
      const reasons =
        proposal.decision.outcome === 'pass'
          ? ''
          : ` (${proposal.decision.reasons.map((reason) => reason.message).join('; ')})`;
      const next =
        proposal.status === 'awaiting_confirmation'
          ? proposal.decision.needsConfirmText
            ? 'Type CONFIRM to proceed; it cannot be undone.'
            : 'Say "yes" to go ahead.'
          : proposal.next;
      return `• ${proposal.preview.summary} — ${proposal.decision.outcome.toUpperCase()}${reasons}. ${next}\n  proposal ${proposal.id}`;
    });
  return [text, ...blocks].filter((part) => part.trim().length > 0).join('\n\n');
}
