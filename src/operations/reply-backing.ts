/** What backs the promises of a reply: the current state of the proposals its ticket opened. */
import type { Kysely, Transaction } from 'kysely';
import type { PromiseBacking } from '../policy/promise-checker.ts';
import type { Database } from '../store/schema.ts';

/** The ticket's proposals as they stand now (an approval or execution since drafting counts). */
export async function replyBacking(
  executor: Kysely<Database> | Transaction<Database>,
  orgId: string,
  ticketId: string | null,
): Promise<PromiseBacking[]> {
  if (!ticketId) return [];
  const ticket = await executor
    .selectFrom('tickets')
    .select('proposals')
    .where('orgId', '=', orgId)
    .where('id', '=', ticketId)
    .executeTakeFirst();
  const ids = ((ticket?.proposals ?? []) as { proposal_id?: string }[])
    .map((proposal) => proposal.proposal_id)
    .filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return [];
  const rows = await executor
    .selectFrom('proposals')
    .select(['id', 'kind', 'status'])
    .where('orgId', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((row) => ({ kind: row.kind, status: row.status, proposalId: row.id }));
}
