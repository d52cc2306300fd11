/**
 * One turn of a conversation, for every surface (CLI ask/chat, HTTP, dashboard): load or start the
 * conversation; a short answer ("yes", CONFIRM, "confirm 2", "no") is answered against the conversation's
 * proposals, bound to what the person was shown (confirm-in-conversation.ts; a planner never confirms);
 * otherwise the planner takes the request. Every proposal is then shown as a numbered card with every change
 * (before → after), marked when it followed customer-supplied text, and the turn is stored.
 */

import { agentOf, checkAgentAccess } from '../auth/agent-access.ts';
import { LeashError } from '../domain/errors.ts';
import { storableText } from '../domain/storable-text.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { ExecutionOutcome } from '../operations/execute-proposal.ts';
import { agentTools, readsUntrustedText } from './agent-tools.ts';
import type { AgentCall, AgentEvents, AgentTools, PastTurn, Planner, PlannerReply, Referent } from './agent-types.ts';
import { answerShort, CONFIRM, loadNumbered, numberedProposals, shortAnswerOf } from './confirm-in-conversation.ts';
import {
  appendTurn,
  createConversation,
  findConversation,
  listTurns,
  type Owner,
  pastTurns,
  type StoredTurn,
  storedCall,
} from './conversations.ts';
import { evidenceSpans } from './parse/parse-request.ts';
import { proposalCard } from './proposal-cards.ts';

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
export { CONFIRM };

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
  // A member whose agents kept running into blocks has their agent access paused until an owner resumes it.
  await checkAgentAccess(context.db, agentOf(context.actor), 'agent');
  const owner: Owner = { orgId: context.actor.orgId, memberId: context.actor.memberId };
  const conversation = input.conversationId
    ? await findConversation(context.db, owner, input.conversationId)
    : await createConversation(context.db, owner, text, planner.name);
  const turns = await listTurns(context.db, owner, conversation.id);
  const history = await pastTurns(context.db, owner, conversation.id);
  const turnContext: OperationContext = { ...context, userInput: text };
  const dataCanSteer = planner.dataCanSteer ?? true;
  const tools = agentTools(turnContext, input.events, { readsTaint: dataCanSteer });
  const executions: ExecutionOutcome[] = [];
  const confirmations: AgentCall[] = [];

  const short = shortAnswerOf(text);
  const answered = short
    ? await answerShort(turnContext, short, turns, { record: (call) => confirmations.push(call), executions })
    : undefined;
  let answer: PlannerReply;
  if (answered) {
    answer = answered.reply;
  } else {
    if (dataCanSteer) noteSteeringText(tools, text, history);
    answer = await planner.respond(
      { text, caseId: conversation.id, history, timeZone: context.timeZone },
      tools,
      input.events,
    );
  }
  const proposed = markProposals(tools, numberedProposals(turns).length);
  const calls = [...confirmations, ...tools.calls];
  const cards = proposed.length > 0 ? await proposalCards(turnContext, turns, proposed) : [];
  const reply = [answer.text, ...cards].filter((part) => part.trim().length > 0).join('\n\n');
  const shown = [...(answered?.shown ?? []), ...proposed.map((call) => call.proposal?.id ?? '')];
  const referents: Referent[] = [
    ...answer.referents.filter((referent) => referent.kind !== 'proposal'),
    ...shown.map((id): Referent => ({ kind: 'proposal', id, label: summaryOf(id, proposed, turns) })),
  ];
  const stored = await appendTurn(context.db, owner, conversation.id, {
    request: text,
    reply,
    calls: calls.map(storedCall),
    referents,
    chart: (answer.chart as Record<string, unknown> | null | undefined) ?? null,
    planner: planner.name,
  });
  return {
    conversationId: conversation.id,
    title: conversation.title,
    turnId: stored.id,
    reply,
    calls,
    referents,
    chart: stored.chart,
    planner: planner.name,
    executions,
  };
}

/**
 * Notes what a model-like planner will read beyond its tools this turn: pasted or quoted text in the request,
 * and earlier answers of the conversation that carried customer data (they go back to the model).
 */
function noteSteeringText(tools: AgentTools, text: string, history: readonly PastTurn[]): void {
  if (evidenceSpans(text).length > 0) tools.noteUntrusted('quoted text in the request');
  const earlier = history.some((turn) =>
    turn.calls.some((call) => call.outcome === 'read' && readsUntrustedText(call.operation)),
  );
  if (earlier) tools.noteUntrusted('earlier answers in this conversation');
}

/**
 * Numbers this turn's proposals after the conversation's earlier ones and marks every one of them untrusted
 * when the planner read untrusted text at any point of the turn (before or after proposing).
 */
function markProposals(tools: AgentTools, earlier: number): AgentCall[] {
  const proposed = tools.calls.filter((call) => call.proposal);
  proposed.forEach((call, index) => {
    call.number = earlier + index + 1;
    if (tools.untrusted.length > 0) call.untrustedContext = [...tools.untrusted];
  });
  return proposed;
}

/** The cards of this turn's proposals; "yes" is offered only when it alone will be waiting and it is clean. */
async function proposalCards(
  context: OperationContext,
  turns: readonly StoredTurn[],
  proposed: readonly AgentCall[],
): Promise<string[]> {
  const earlierWaiting = (await loadNumbered(context, numberedProposals(turns))).filter(
    (item) => item.proposal.status === 'awaiting_confirmation',
  );
  const waitingNow = proposed.filter((call) => call.proposal?.status === 'awaiting_confirmation');
  const alone = earlierWaiting.length === 0 && waitingNow.length === 1;
  return proposed.map((call) => {
    const proposal = call.proposal as NonNullable<AgentCall['proposal']>;
    const untrusted = call.untrustedContext ?? [];
    return proposalCard(proposal, {
      number: call.number ?? 0,
      untrusted,
      bareYes: alone && untrusted.length === 0,
      timeZone: context.timeZone,
    });
  });
}

function summaryOf(id: string, proposed: readonly AgentCall[], turns: readonly StoredTurn[]): string {
  const call = proposed.find((candidate) => candidate.proposal?.id === id);
  if (call?.proposal) return call.proposal.preview.summary;
  for (const turn of turns)
    for (const stored of turn.calls) if (stored.proposal?.id === id) return stored.proposal.summary;
  return id;
}
