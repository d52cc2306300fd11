/**
 * Propose: validate → resolve org-scoped facts → server-derived preview → decide → store the proposal, the
 * reservation against the daily limit and (for WARN) the approval request, all in one transaction with
 * their audit rows. Nothing changes in the billing system on propose.
 */
import { checkApprovalCapacity } from '../approvals/approval-cap.ts';
import { createApprovalRequest } from '../approvals/approval-requests.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { recordStep } from './audit-trail.ts';
import { isRead, type OperationContext, type WriteOperation } from './define-operation.ts';
import { gateRequest } from './gate-request.ts';
import { adjustDailyTotal, limitDay, limitUsage, lockDailyTotal } from './limits.ts';
import { parseInput } from './parse-input.ts';
import { buildPayload } from './payload.ts';
import { modeGrantOf } from './policy-modes.ts';
import { type ProposalView, viewProposal } from './proposal-view.ts';
import { insertProposal, type ProposalStatus } from './proposals.ts';
import { findOperation } from './registry.ts';

/** Proposes the write `name` with `rawInput` as the context's actor. */
export async function proposeOperation(
  context: OperationContext,
  name: string,
  rawInput: unknown,
): Promise<ProposalView> {
  const found = findOperation(name);
  if (!found) throw new LeashError('not_found', `no operation ${name} (see \`leash ops\`)`, { field: 'operation' });
  if (isRead(found))
    throw new LeashError('bad_input', `${name} is a read: run it, there is nothing to propose`, { field: 'operation' });
  const operation = found as WriteOperation<unknown, unknown>;
  const input = parseInput(operation.input, rawInput);
  const proposalId = newId('proposal');
  const now = new Date();
  let view: ProposalView;
  try {
    view = await context.db.transaction().execute(async (trx) => {
      // Facts read through the transaction (the embedded store has one connection, and the transaction holds it).
      const facts = await operation.facts({ ...context, db: trx }, input, context.connector(trx));
      const { payload, hash } = buildPayload({
        orgId: context.actor.orgId,
        operation: operation.name,
        kind: operation.kind,
        requesterId: context.actor.memberId,
        input,
        bound: facts.bound,
      });
      const money = facts.decision.money;
      const counter = money
        ? {
            orgId: context.actor.orgId,
            memberId: context.actor.memberId,
            kind: operation.kind,
            day: limitDay(now),
            currency: money.currency,
          }
        : undefined;
      if (counter) await lockDailyTotal(trx, counter);
      const usage = await limitUsage(trx, {
        orgId: context.actor.orgId,
        memberId: context.actor.memberId,
        kind: operation.kind,
        money,
        customerIds: facts.decision.customerIds,
        at: now,
      });
      const decision = context.gate.decide(
        gateRequest({
          context,
          actor: context.actor,
          operation,
          operationInput: input,
          facts: facts.decision,
          stage: 'propose',
          proposalId,
          ...usage,
          modes: await modeGrantOf(trx, context.actor),
        }),
      );
      const status: ProposalStatus =
        decision.outcome === 'pass'
          ? 'awaiting_confirmation'
          : decision.outcome === 'warn'
            ? 'awaiting_approval'
            : 'blocked';
      const reserve = counter && money && decision.outcome !== 'block';
      const proposal = {
        id: proposalId,
        orgId: context.actor.orgId,
        operation: operation.name,
        kind: operation.kind,
        requesterId: context.actor.memberId,
        channel: context.channel,
        requestId: context.requestId,
        caseId: (input as { case_id?: string }).case_id ?? null,
        reason: (input as { reason?: string }).reason ?? null,
        userInput: context.userInput ?? null,
        input: input as Record<string, unknown>,
        payload,
        payloadHash: hash,
        preview: facts.preview,
        decision,
        outcome: decision.outcome,
        status,
        moneyAmount: money?.amount ?? null,
        moneyCurrency: money?.currency ?? null,
        reservedDay: reserve ? (counter?.day ?? null) : null,
      };
      await insertProposal(trx, proposal);
      if (reserve && counter && money) await adjustDailyTotal(trx, counter, money.amount);
      const trail = { operation: operation.name, proposalId, subjects: facts.subjects };
      await recordStep(trx, context, 'proposal.created', {
        ...trail,
        arguments: input,
        result: { preview: facts.preview, payloadHash: hash },
      });
      await recordStep(trx, context, 'decision.made', { ...trail, decision });
      if (decision.outcome !== 'warn')
        return viewProposal({ ...proposal, createdAt: now, updatedAt: now }, undefined, undefined, context.timeZone);
      await checkApprovalCapacity(trx, { orgId: context.actor.orgId, requesterId: context.actor.memberId, now });
      const { request, handle } = await createApprovalRequest(trx, {
        orgId: context.actor.orgId,
        proposalId,
        requesterId: context.actor.memberId,
        payload,
        payloadHash: hash,
        groups: decision.requiredApprovers.groups,
        roles: decision.requiredApprovers.roles,
        minCap: decision.requiredApprovers.minCap,
        now,
      });
      await recordStep(trx, context, 'approval.requested', {
        ...trail,
        result: { approvalId: request.id, expiresAt: request.expiresAt, groups: request.groups, roles: request.roles },
      });
      return viewProposal({ ...proposal, createdAt: now, updatedAt: now }, request, handle, context.timeZone);
    });
  } catch (error) {
    // A refused attempt (unknown or another org's id, a state that forbids it) is still an attempt: log it.
    if (error instanceof LeashError) {
      await recordStep(context.db, context, 'decision.made', {
        operation: operation.name,
        proposalId,
        arguments: input,
        decision: { outcome: 'block', reasons: [{ policyId: `facts.${error.code}`, message: error.message }] },
      });
    }
    throw error;
  }
  const companion = view.status === 'blocked' ? undefined : operation.companion?.(input);
  if (!companion) return view;
  // Proposed after this one is stored, with its id: its own kind, decision and approval (ADR 0024).
  return {
    ...view,
    companions: [await proposeOperation(context, companion.operation, { ...companion.input, proposal_id: view.id })],
  };
}
