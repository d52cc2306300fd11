/**
 * Conversations: stored per member (another member's conversation, like another org's, is not found), named
 * after the first message, listed newest first, resumed with their turns. A turn keeps the calls it made
 * (without bulky read results) and what later turns may refer to.
 */
import type { Kysely, Transaction } from 'kysely';
import { notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import type { AgentCall, PastTurn, Referent } from './agent-types.ts';
import { callView, type ProposalCallView } from './turn-view.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A conversation's header. */
export interface Conversation {
  id: string;
  title: string;
  planner: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A call as stored: what was asked and what came of it, with the proposal's id and next step. */
export interface StoredCall {
  operation: string;
  input: Record<string, unknown>;
  outcome: AgentCall['outcome'];
  proposal?: ProposalCallView & { needsConfirmText: boolean };
  error?: { code: string; message: string };
}

/** A stored turn. */
export interface StoredTurn {
  id: string;
  seq: number;
  request: string;
  reply: string;
  calls: StoredCall[];
  referents: Referent[];
  chart: Record<string, unknown> | null;
  planner: string;
  createdAt: Date;
}

/** Who owns a conversation. */
export interface Owner {
  orgId: string;
  memberId: string;
}

const TITLE_LENGTH = 60;
const HISTORY_TURNS = 10;

/** A title from the first message: its first line, cut at a word near 60 characters. */
export function titleOf(message: string): string {
  const line = message.trim().split('\n')[0]?.replace(/\s+/g, ' ') ?? '';
  if (line.length <= TITLE_LENGTH) return line;
  const cut = line.slice(0, TITLE_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${space > 30 ? cut.slice(0, space) : cut}…`;
}

/** The stored form of a call: what surfaces show of it, and whether confirming it needs CONFIRM. */
export function storedCall(call: AgentCall): StoredCall {
  const view = callView(call);
  const { proposal: _none, ...rest } = view;
  if (!view.proposal || !call.proposal) return rest;
  return {
    ...view,
    proposal: { ...view.proposal, needsConfirmText: Boolean(call.proposal.decision.needsConfirmText) },
  };
}

/** Starts a conversation named after `firstMessage`. */
export async function createConversation(
  db: Executor,
  owner: Owner,
  firstMessage: string,
  planner: string,
): Promise<Conversation> {
  const now = new Date();
  const conversation = {
    id: newId('conversation'),
    title: titleOf(firstMessage),
    planner,
    createdAt: now,
    updatedAt: now,
  };
  await db
    .insertInto('conversations')
    .values({ ...conversation, orgId: owner.orgId, memberId: owner.memberId })
    .execute();
  return conversation;
}

/** The member's conversations, most recently used first. */
export async function listConversations(db: Executor, owner: Owner, limit = 50): Promise<Conversation[]> {
  return db
    .selectFrom('conversations')
    .select(['id', 'title', 'planner', 'createdAt', 'updatedAt'])
    .where('orgId', '=', owner.orgId)
    .where('memberId', '=', owner.memberId)
    .orderBy('updatedAt', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** One of the member's conversations; anyone else's id is not found. */
export async function findConversation(db: Executor, owner: Owner, id: string): Promise<Conversation> {
  const row = await db
    .selectFrom('conversations')
    .select(['id', 'title', 'planner', 'createdAt', 'updatedAt'])
    .where('orgId', '=', owner.orgId)
    .where('memberId', '=', owner.memberId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('conversation', id);
  return row;
}

/** The turns of a conversation, oldest first (the last `limit` when given). */
export async function listTurns(
  db: Executor,
  owner: Owner,
  conversationId: string,
  limit?: number,
): Promise<StoredTurn[]> {
  let query = db
    .selectFrom('conversationTurns')
    .select(['id', 'seq', 'request', 'reply', 'calls', 'referents', 'chart', 'planner', 'createdAt'])
    .where('orgId', '=', owner.orgId)
    .where('conversationId', '=', conversationId)
    .orderBy('seq', 'desc');
  if (limit) query = query.limit(limit);
  const rows = await query.execute();
  return rows.reverse().map((row) => ({
    ...row,
    calls: row.calls as StoredCall[],
    referents: row.referents as Referent[],
    chart: (row.chart as Record<string, unknown> | null) ?? null,
  }));
}

/** What a planner sees of the conversation so far. */
export async function pastTurns(db: Executor, owner: Owner, conversationId: string): Promise<PastTurn[]> {
  const turns = await listTurns(db, owner, conversationId, HISTORY_TURNS);
  return turns.map((turn) => ({
    request: turn.request,
    reply: turn.reply,
    referents: turn.referents,
    calls: turn.calls.map((call) => ({
      operation: call.operation,
      input: call.input,
      outcome: call.outcome,
      ...(call.proposal ? { proposalId: call.proposal.id } : {}),
    })),
  }));
}

/** Appends a turn and touches the conversation; the sequence number is taken under the conversation's row lock. */
export async function appendTurn(
  db: Kysely<Database>,
  owner: Owner,
  conversationId: string,
  turn: Omit<StoredTurn, 'id' | 'seq' | 'createdAt'>,
): Promise<StoredTurn> {
  return db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('conversations')
      .select('id')
      .where('orgId', '=', owner.orgId)
      .where('id', '=', conversationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const last = await trx
      .selectFrom('conversationTurns')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('conversationId', '=', conversationId)
      .executeTakeFirst();
    const stored: StoredTurn = { ...turn, id: newId('turn'), seq: Number(last?.seq ?? 0) + 1, createdAt: new Date() };
    await trx
      .insertInto('conversationTurns')
      .values({
        id: stored.id,
        orgId: owner.orgId,
        conversationId,
        seq: stored.seq,
        request: stored.request,
        reply: stored.reply,
        calls: json(stored.calls),
        referents: json(stored.referents),
        chart: stored.chart ? json(stored.chart) : null,
        planner: stored.planner,
        createdAt: stored.createdAt,
      })
      .execute();
    await trx
      .updateTable('conversations')
      .set({ updatedAt: stored.createdAt })
      .where('id', '=', conversationId)
      .execute();
    return stored;
  });
}
