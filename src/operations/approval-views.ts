/**
 * Approval requests as surfaces show them (CLI, HTTP, MCP): the request with its proposal's server-derived
 * preview, the requester's email, reason and case. Lookups are by org; another org's id is simply absent.
 */
import { type ApprovalRequest, findApprovalRequest, listApprovalRequests } from '../approvals/approval-requests.ts';
import { notFound } from '../domain/errors.ts';
import { moneyLine } from '../domain/money-label.ts';
import { type ExternalAgentView, gateViewParts } from '../gate/gate-approval-view.ts';
import type { OperationContext } from './define-operation.ts';
import { describeApprovers } from './proposal-view.ts';
import { loadProposal } from './proposals.ts';

/** The statuses a request can be in. */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;

/** One request as listed and shown. */
export interface ApprovalView {
  id: string;
  status: ApprovalRequest['status'];
  proposalId: string;
  operation: string;
  summary: string;
  money: { amount: number; currency: string } | null;
  /** What the money is ("Refunded to the customer (USD)"), when there is money. */
  moneyLabel?: string | null;
  preview: unknown;
  requester: string;
  reason: string | null;
  caseId: string | null;
  approvers: string;
  /** Who the request is routed to: members of these approver groups, or of these roles. */
  groups: string[];
  roles: string[];
  expiresAt: Date;
  createdAt: Date;
  decidedBy: string | null;
  decisionReason: string | null;
  payloadHash: string;
  /** For another company's agent's action (the gate service): who asks and what, as untrusted data. */
  external?: ExternalAgentView;
}

async function emails(context: OperationContext, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await context.db
    .selectFrom('members')
    .select(['id', 'email'])
    .where('orgId', '=', context.actor.orgId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.email]));
}

async function view(context: OperationContext, request: ApprovalRequest, names: Map<string, string>) {
  if (request.decisionId) return gateView(context, request, request.decisionId, names);
  const proposal = await loadProposal(context.db, context.actor.orgId, request.proposalId ?? '');
  return {
    id: request.id,
    status: request.status,
    proposalId: proposal.id,
    operation: proposal.operation,
    summary: proposal.preview.summary,
    money:
      proposal.moneyAmount !== null && proposal.moneyCurrency
        ? { amount: proposal.moneyAmount, currency: proposal.moneyCurrency }
        : null,
    moneyLabel:
      proposal.moneyAmount !== null && proposal.moneyCurrency
        ? (moneyLine(
            proposal.operation,
            proposal.preview.money ?? {
              amount: proposal.moneyAmount,
              currency: proposal.moneyCurrency,
            },
          )?.label ?? null)
        : null,
    preview: proposal.preview,
    requester: names.get(request.requesterId) ?? request.requesterId,
    reason: proposal.reason,
    caseId: proposal.caseId,
    approvers: describeApprovers(request.groups, request.roles),
    groups: request.groups,
    roles: request.roles,
    expiresAt: request.expiresAt,
    createdAt: request.createdAt,
    decidedBy: request.decidedBy ? (names.get(request.decidedBy) ?? request.decidedBy) : null,
    decisionReason: request.decisionReason,
    payloadHash: request.payloadHash,
  } satisfies ApprovalView;
}

/** A gate decision's request: the external agent's payload in place of a proposal's preview. */
async function gateView(
  context: OperationContext,
  request: ApprovalRequest,
  decisionId: string,
  names: Map<string, string>,
): Promise<ApprovalView> {
  const parts = await gateViewParts(context.db, context.actor.orgId, decisionId);
  return {
    id: request.id,
    status: request.status,
    proposalId: decisionId,
    ...parts,
    requester: names.get(request.requesterId) ?? request.requesterId,
    approvers: describeApprovers(request.groups, request.roles),
    groups: request.groups,
    roles: request.roles,
    expiresAt: request.expiresAt,
    createdAt: request.createdAt,
    decidedBy: request.decidedBy ? (names.get(request.decidedBy) ?? request.decidedBy) : null,
    decisionReason: request.decisionReason,
    payloadHash: request.payloadHash,
  };
}

/** The org's requests, newest first (pending by default). */
export async function listApprovalViews(
  context: OperationContext,
  filter: { status?: ApprovalRequest['status'] | 'all'; limit?: number; waitingForActor?: boolean } = {},
): Promise<ApprovalView[]> {
  const status = filter.status ?? 'pending';
  const requests = await listApprovalRequests(context.db, context.actor.orgId, {
    ...(status === 'all' ? {} : { status }),
    ...(filter.limit ? { limit: filter.limit } : {}),
  });
  const names = await emails(
    context,
    requests.flatMap((request) => [request.requesterId, ...(request.decidedBy ? [request.decidedBy] : [])]),
  );
  const views = await Promise.all(requests.map((request) => view(context, request, names)));
  return filter.waitingForActor ? views.filter((found) => routedTo(context.actor, found)) : views;
}

/**
 * True when `view` waits for `actor`: routed to their role or one of their approver groups, and not their own
 * request (the two-person rule). The approval itself re-checks all of this.
 */
export function routedTo(
  actor: OperationContext['actor'],
  view: Pick<ApprovalView, 'requester' | 'groups' | 'roles'>,
): boolean {
  if (view.requester === actor.email) return false;
  return view.roles.includes(actor.role) || actor.groups.some((group) => view.groups.includes(group));
}

/** One request by id (`apr_…`) or handle (`aph_…`). */
export async function showApproval(context: OperationContext, reference: string): Promise<ApprovalView> {
  const request = await findApprovalRequest(context.db, context.actor.orgId, reference);
  if (!request) throw notFound('approval request', reference);
  const names = await emails(context, [request.requesterId, ...(request.decidedBy ? [request.decidedBy] : [])]);
  return view(context, request, names);
}
