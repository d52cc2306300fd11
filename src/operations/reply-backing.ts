/**
 * What backs the claims of a reply: the proposals its ticket opened and the customer's recent actions, as they
 * stand now (an approval or execution since drafting counts), each with its customer, amount and status.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { percentAmounts } from '../policy/claim-amount.ts';
import { BACKING_OPERATIONS, type BackingStatus, type ClaimBacking } from '../policy/claim-checker.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** How far back a customer's own actions (not linked to the ticket) still back a reply. */
export const CUSTOMER_BACKING_DAYS = 30;

/** A proposal's status as the claim checker reads it: executing means approved and under way. */
export function backingStatus(status: string): BackingStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'executing':
      return 'approved';
    case 'awaiting_approval':
      return 'pending_approval';
    case 'awaiting_confirmation':
      return 'proposed';
    case 'failed':
      return 'failed';
    default:
      return 'blocked';
  }
}

interface ProposalRow {
  id: string;
  operation: string;
  status: string;
  moneyAmount: number | null;
  moneyCurrency: string | null;
  preview: Record<string, unknown>;
}

/** One proposal as a backing: its customer from the server-derived preview, its amount from the stored money. */
export function backingOf(row: ProposalRow): ClaimBacking {
  const customers = (row.preview.customers ?? []) as { id?: string; name?: string }[];
  const summary = typeof row.preview.summary === 'string' ? row.preview.summary : '';
  const coupon = row.operation === 'apply_coupon';
  const percent = coupon ? percentAmounts(summary)[0] : undefined;
  const months = coupon && percent === 100 ? Number(/\bfor (\d+) months?\b/.exec(summary)?.[1] ?? Number.NaN) : NaN;
  return {
    operation: row.operation,
    status: backingStatus(row.status),
    customerId: customers[0]?.id ?? null,
    customerName: customers[0]?.name ?? null,
    amount: coupon ? null : row.moneyAmount,
    currency: coupon ? null : row.moneyCurrency,
    percent: percent ?? null,
    months: Number.isFinite(months) ? months : null,
    proposalId: row.id,
  };
}

const COLUMNS = ['id', 'operation', 'status', 'moneyAmount', 'moneyCurrency', 'preview'] as const;

/** The proposals `ids` as backings. */
export async function proposalBacking(executor: Executor, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await executor
    .selectFrom('proposals')
    .select(COLUMNS)
    .where('orgId', '=', orgId)
    .where('id', 'in', [...ids])
    .execute();
  return rows.map(backingOf);
}

/** A ticket's proposal ids. */
async function ticketProposalIds(executor: Executor, orgId: string, ticketId: string): Promise<string[]> {
  const ticket = await executor
    .selectFrom('tickets')
    .select('proposals')
    .where('orgId', '=', orgId)
    .where('id', '=', ticketId)
    .executeTakeFirst();
  return ((ticket?.proposals ?? []) as { proposal_id?: string }[])
    .map((proposal) => proposal.proposal_id)
    .filter((id): id is string => typeof id === 'string');
}

/** The customer's actions of a backing kind from the last {@link CUSTOMER_BACKING_DAYS} days. */
async function customerProposalIds(executor: Executor, orgId: string, customerId: string): Promise<string[]> {
  const since = new Date(Date.now() - CUSTOMER_BACKING_DAYS * 86_400_000);
  const rows = await executor
    .selectFrom('proposals')
    .select('id')
    .where('orgId', '=', orgId)
    .where('operation', 'in', BACKING_OPERATIONS)
    .where('createdAt', '>=', since)
    .where(sql<boolean>`preview->'customers' @> ${JSON.stringify([{ id: customerId }])}::jsonb`)
    .orderBy('createdAt', 'desc')
    .limit(200)
    .execute();
  return rows.map((row) => row.id);
}

/** What backs a reply: its ticket's proposals and, with a customer, that customer's recent actions. */
export async function replyBacking(
  executor: Executor,
  orgId: string,
  scope: { ticketId?: string | null; customerId?: string | null },
): Promise<ClaimBacking[]> {
  const ids = new Set<string>();
  if (scope.ticketId) for (const id of await ticketProposalIds(executor, orgId, scope.ticketId)) ids.add(id);
  if (scope.customerId) for (const id of await customerProposalIds(executor, orgId, scope.customerId)) ids.add(id);
  return proposalBacking(executor, orgId, [...ids]);
}
