/** Proposals in the store: every write request with its payload hash, preview, decision and state. */
import type { Kysely, Transaction } from 'kysely';
import { notFound } from '../domain/errors.ts';
import type { Decision } from '../policy/decide.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import type { Preview } from './define-operation.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Where a proposal stands. */
export type ProposalStatus =
  | 'awaiting_confirmation'
  | 'awaiting_approval'
  | 'blocked'
  | 'rejected'
  | 'expired'
  | 'executing'
  | 'succeeded'
  | 'failed';

/** A stored proposal. */
export interface Proposal {
  id: string;
  orgId: string;
  operation: string;
  kind: string;
  requesterId: string;
  channel: string;
  requestId: string;
  caseId: string | null;
  reason: string | null;
  userInput: string | null;
  input: Record<string, unknown>;
  payload: Record<string, unknown>;
  payloadHash: string;
  preview: Preview;
  decision: Decision;
  outcome: Decision['outcome'];
  status: ProposalStatus;
  moneyAmount: number | null;
  moneyCurrency: string | null;
  reservedDay: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Inserts a proposal. */
export async function insertProposal(
  executor: Executor,
  proposal: Omit<Proposal, 'createdAt' | 'updatedAt'>,
): Promise<void> {
  await executor
    .insertInto('proposals')
    .values({
      ...proposal,
      input: json(proposal.input),
      payload: json(proposal.payload),
      preview: json(proposal.preview),
      decision: json(proposal.decision),
    })
    .execute();
}

/** Loads a proposal of the org (optionally locking it); another org's id is not found. */
export async function loadProposal(
  executor: Executor,
  orgId: string,
  proposalId: string,
  lock = false,
): Promise<Proposal> {
  let query = executor.selectFrom('proposals').selectAll().where('orgId', '=', orgId).where('id', '=', proposalId);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('proposal', proposalId);
  return row as unknown as Proposal;
}

/** Moves a proposal to a new status. */
export async function setProposalStatus(
  executor: Executor,
  orgId: string,
  proposalId: string,
  status: ProposalStatus,
): Promise<void> {
  await executor
    .updateTable('proposals')
    .set({ status, updatedAt: new Date() })
    .where('orgId', '=', orgId)
    .where('id', '=', proposalId)
    .execute();
}

/** Lists the org's proposals, newest first. */
export async function listProposals(
  executor: Executor,
  orgId: string,
  filter: { requesterId?: string; status?: ProposalStatus; limit?: number } = {},
): Promise<Proposal[]> {
  let query = executor.selectFrom('proposals').selectAll().where('orgId', '=', orgId);
  if (filter.requesterId) query = query.where('requesterId', '=', filter.requesterId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query
    .orderBy('createdAt', 'desc')
    .limit(filter.limit ?? 50)
    .execute();
  return rows as unknown as Proposal[];
}
