/**
 * Approval requests: a WARN proposal — or a WARN gate decision asked for by another company's agent (src/gate,
 * issue 20) — waiting for a second person. Each request stores the canonical payload and
 * its SHA-256, the groups/roles it is routed to, an opaque single-use handle (only its hash is kept) and an expiry.
 * State changes are single conditional UPDATEs, so an approval can be used once, never twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Default time an approval request stays open. */
export const DEFAULT_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

/** An approval request as the rest of Leash sees it (never the raw handle). */
export interface ApprovalRequest {
  id: string;
  orgId: string;
  /** The proposal waiting; null when the request is for a gate decision. */
  proposalId: string | null;
  /** The gate decision waiting (an external agent's action); null when the request is for a proposal. */
  decisionId: string | null;
  requesterId: string;
  payload: Record<string, unknown>;
  payloadHash: string;
  groups: string[];
  roles: string[];
  minCap: { amount: number; currency: string } | null;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  expiresAt: Date;
  createdAt: Date;
}

const hashHandle = (handle: string) => createHash('sha256').update(handle).digest('hex');

/**
 * Opens a request for a proposal or a gate decision (exactly one); returns it with the one-time handle (shown once,
 * stored hashed).
 */
export async function createApprovalRequest(
  executor: Executor,
  input: {
    orgId: string;
    proposalId?: string | undefined;
    decisionId?: string | undefined;
    requesterId: string;
    payload: Record<string, unknown>;
    payloadHash: string;
    groups: readonly string[];
    roles: readonly string[];
    minCap?: { amount: number; currency: string } | undefined;
    now: Date;
    ttlMs?: number;
  },
): Promise<{ request: ApprovalRequest; handle: string }> {
  const handle = `aph_${randomBytes(24).toString('base64url')}`;
  const row = await executor
    .insertInto('approvalRequests')
    .values({
      id: newId('approval'),
      orgId: input.orgId,
      proposalId: input.proposalId ?? null,
      decisionId: input.decisionId ?? null,
      requesterId: input.requesterId,
      payload: json(input.payload),
      payloadHash: input.payloadHash,
      groups: json(input.groups),
      roles: json(input.roles),
      minCap: input.minCap ? json(input.minCap) : null,
      handleHash: hashHandle(handle),
      status: 'pending',
      expiresAt: new Date(input.now.getTime() + (input.ttlMs ?? DEFAULT_APPROVAL_TTL_MS)),
      createdAt: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { request: toRequest(row), handle };
}

/** Finds a request of the org by id (`apr_…`) or by its handle (`aph_…`); another org's id is simply absent. */
export async function findApprovalRequest(
  executor: Executor,
  orgId: string,
  reference: string,
): Promise<ApprovalRequest | undefined> {
  const row = await executor
    .selectFrom('approvalRequests')
    .selectAll()
    .where('orgId', '=', orgId)
    .where(
      reference.startsWith('aph_') ? 'handleHash' : 'id',
      '=',
      reference.startsWith('aph_') ? hashHandle(reference) : reference,
    )
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** Finds the request of a proposal. */
export async function findApprovalForProposal(
  executor: Executor,
  orgId: string,
  proposalId: string,
): Promise<ApprovalRequest | undefined> {
  const row = await executor
    .selectFrom('approvalRequests')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('proposalId', '=', proposalId)
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** Finds the request of a gate decision. */
export async function findApprovalForDecision(
  executor: Executor,
  orgId: string,
  decisionId: string,
): Promise<ApprovalRequest | undefined> {
  const row = await executor
    .selectFrom('approvalRequests')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('decisionId', '=', decisionId)
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** Lists requests of the org, newest first. */
export async function listApprovalRequests(
  executor: Executor,
  orgId: string,
  filter: { status?: ApprovalRequest['status']; requesterId?: string; limit?: number } = {},
): Promise<ApprovalRequest[]> {
  let query = executor.selectFrom('approvalRequests').selectAll().where('orgId', '=', orgId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.requesterId) query = query.where('requesterId', '=', filter.requesterId);
  const rows = await query
    .orderBy('createdAt', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(toRequest);
}

/**
 * Moves a pending, unexpired request to approved/rejected in one conditional UPDATE: of two concurrent
 * approvals exactly one gets the row back. Undefined means it was no longer pending (or had expired).
 */
export async function settleApprovalRequest(
  executor: Executor,
  input: { orgId: string; id: string; status: 'approved' | 'rejected'; deciderId: string; reason: string; now: Date },
): Promise<ApprovalRequest | undefined> {
  const row = await executor
    .updateTable('approvalRequests')
    .set({ status: input.status, decidedBy: input.deciderId, decidedAt: input.now, decisionReason: input.reason })
    .where('orgId', '=', input.orgId)
    .where('id', '=', input.id)
    .where('status', '=', 'pending')
    .where('expiresAt', '>', input.now)
    .returningAll()
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

/** Marks a pending request whose time has passed as expired; returns it when this call expired it. */
export async function expireApprovalRequest(
  executor: Executor,
  orgId: string,
  id: string,
  now: Date,
): Promise<ApprovalRequest | undefined> {
  const row = await executor
    .updateTable('approvalRequests')
    .set({ status: 'expired', decidedAt: now })
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expiresAt', '<=', now)
    .returningAll()
    .executeTakeFirst();
  return row ? toRequest(row) : undefined;
}

function toRequest(row: {
  id: string;
  orgId: string;
  proposalId: string | null;
  decisionId: string | null;
  requesterId: string;
  payload: Record<string, unknown>;
  payloadHash: string;
  groups: string[];
  roles: string[];
  minCap: { amount: number; currency: string } | null;
  status: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  expiresAt: Date;
  createdAt: Date;
}): ApprovalRequest {
  const { status, ...rest } = row;
  return { ...rest, status: status as ApprovalRequest['status'] };
}
