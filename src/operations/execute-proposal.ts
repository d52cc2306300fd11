/**
 * Execute: re-derive the facts and the payload, re-run the gate on current facts (stage `execute`), claim the
 * one execution record (its idempotency key derived from the proposal id), then call the connector and write
 * the result and its audit row in the same transaction. Any change since the proposal or the approval blocks.
 */
import type { Transaction } from 'kysely';
import type { ApprovalRequest } from '../approvals/approval-requests.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Decision } from '../policy/decide.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import { recordBillingEvents } from '../webhooks/event-types.ts';
import { recordStep } from './audit-trail.ts';
import type { OperationContext, WriteOperation } from './define-operation.ts';
import { gateRequest, idempotencyKeyFor } from './gate-request.ts';
import { adjustDailyTotal, limitUsage, lockDailyTotal } from './limits.ts';
import { parseInput } from './parse-input.ts';
import { buildPayload } from './payload.ts';
import { modeGrantOf } from './policy-modes.ts';
import { loadProposal, type Proposal, setProposalStatus } from './proposals.ts';
import { findOperation } from './registry.ts';

/** What an execution attempt came to. */
export interface ExecutionOutcome {
  proposalId: string;
  status: 'succeeded' | 'failed' | 'blocked' | 'executing';
  executionId: string | null;
  result: unknown;
  reasons: { policyId: string; message: string }[];
}

/** Releases a proposal's reservation against the daily limit. */
export async function releaseReservation(trx: Transaction<Database>, proposal: Proposal): Promise<void> {
  if (!proposal.reservedDay || proposal.moneyAmount === null || !proposal.moneyCurrency) return;
  await adjustDailyTotal(
    trx,
    {
      orgId: proposal.orgId,
      memberId: proposal.requesterId,
      kind: proposal.kind,
      day: proposal.reservedDay,
      currency: proposal.moneyCurrency,
    },
    -proposal.moneyAmount,
  );
}

function writeOperationOf(proposal: Proposal): WriteOperation<unknown, unknown> {
  const operation = findOperation(proposal.operation);
  if (!operation || operation.kind !== proposal.kind) {
    throw new LeashError('internal', `proposal ${proposal.id} names an operation this build does not have`);
  }
  return operation as WriteOperation<unknown, unknown>;
}

/** Blocks a proposal at execution: status, reservation and audit row together. */
async function blockAtExecution(
  trx: Transaction<Database>,
  context: OperationContext,
  proposal: Proposal,
  decision: Pick<Decision, 'outcome' | 'reasons'> & Partial<Decision>,
): Promise<ExecutionOutcome> {
  await setProposalStatus(trx, proposal.orgId, proposal.id, 'blocked');
  await releaseReservation(trx, proposal);
  await recordStep(trx, context, 'decision.made', {
    operation: proposal.operation,
    proposalId: proposal.id,
    decision: { ...decision, stage: 'execute' },
  });
  return { proposalId: proposal.id, status: 'blocked', executionId: null, result: null, reasons: decision.reasons };
}

/**
 * Executes a proposal once. `approval` is the settled request when a second person approved it; without one
 * only a PASS on current facts may run.
 */
export async function executeProposal(
  context: OperationContext,
  proposalId: string,
  options: { approval?: ApprovalRequest; confirmText?: string | undefined } = {},
): Promise<ExecutionOutcome> {
  const orgId = context.actor.orgId;
  const key = idempotencyKeyFor(proposalId);
  // Who asked, with their role as it is now (a demoted member is re-evaluated). Read before the transaction:
  // the embedded store has one connection, and the transaction holds it.
  const currentRequester = await context.findActor((await loadProposal(context.db, orgId, proposalId)).requesterId);

  const claim = await context.db
    .transaction()
    .execute(async (trx): Promise<ExecutionOutcome | { executionId: string; proposal: Proposal }> => {
      const proposal = await loadProposal(trx, orgId, proposalId, true);
      const allowed = options.approval ? 'awaiting_approval' : 'awaiting_confirmation';
      if (proposal.status !== allowed) {
        return {
          proposalId,
          status: proposal.status === 'succeeded' ? 'succeeded' : 'blocked',
          executionId: null,
          result: null,
          reasons: [{ policyId: 'pipeline.state', message: `proposal is ${proposal.status.replace('_', ' ')}` }],
        };
      }
      const operation = writeOperationOf(proposal);
      const requester: Actor | undefined = currentRequester;
      if (!requester) {
        return blockAtExecution(trx, context, proposal, {
          outcome: 'block',
          reasons: [{ policyId: 'identity.requester_gone', message: 'the requester is no longer a member' }],
        });
      }
      let facts: Awaited<ReturnType<typeof operation.facts>>;
      let input: unknown;
      try {
        input = parseInput(operation.input, proposal.input);
        facts = await operation.facts({ ...context, db: trx, actor: requester }, input, context.connector(trx));
      } catch (error) {
        if (!(error instanceof LeashError)) throw error;
        return blockAtExecution(trx, context, proposal, {
          outcome: 'block',
          reasons: [{ policyId: `facts.${error.code}`, message: error.message }],
        });
      }
      const { hash } = buildPayload({
        orgId,
        operation: operation.name,
        kind: operation.kind,
        requesterId: requester.memberId,
        input,
        bound: facts.bound,
      });
      if (hash !== proposal.payloadHash || (options.approval && hash !== options.approval.payloadHash)) {
        return blockAtExecution(trx, context, proposal, {
          outcome: 'block',
          reasons: [
            {
              policyId: 'approval.payload_changed',
              message: 'the action or its facts changed since it was proposed or approved; propose it again',
            },
          ],
        });
      }
      const money = facts.decision.money;
      if (money) {
        // The day's counter row stays the lock it always was; the sums are the rolling ones (limits.ts).
        await lockDailyTotal(trx, {
          orgId,
          memberId: requester.memberId,
          kind: operation.kind,
          day: proposal.reservedDay ?? new Date().toISOString().slice(0, 10),
          currency: money.currency,
        });
      }
      // This proposal's own reservation is left out: it is the one being checked.
      const usage = await limitUsage(trx, {
        orgId,
        memberId: requester.memberId,
        kind: operation.kind,
        money,
        customerIds: facts.decision.customerIds,
        at: new Date(),
        excludeProposalId: proposalId,
      });
      const decision = context.gate.decide(
        gateRequest({
          context,
          actor: requester,
          operation,
          operationInput: input,
          facts: facts.decision,
          stage: 'execute',
          proposalId,
          ...usage,
          confirmText: options.confirmText,
          modes: await modeGrantOf(trx, requester),
        }),
      );
      if (decision.outcome === 'block') return blockAtExecution(trx, context, proposal, decision);
      if (decision.outcome === 'warn' && !options.approval) {
        return {
          proposalId,
          status: 'blocked',
          executionId: null,
          result: null,
          reasons: [
            { policyId: 'approval.required', message: 'this action needs approval by a second member' },
            ...decision.reasons,
          ],
        };
      }
      const executionId = newId('execution');
      const inserted = await trx
        .insertInto('executions')
        .values({ id: executionId, orgId, proposalId, idempotencyKey: key, status: 'executing' })
        .onConflict((conflict) => conflict.column('proposalId').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        return {
          proposalId,
          status: 'executing',
          executionId: null,
          result: null,
          reasons: [{ policyId: 'pipeline.once', message: 'already executing' }],
        };
      }
      await setProposalStatus(trx, orgId, proposalId, 'executing');
      await recordStep(trx, context, 'execution.started', {
        operation: operation.name,
        proposalId,
        subjects: facts.subjects,
        decision: { ...decision, stage: 'execute' },
        result: { executionId, idempotencyKey: key },
      });
      return { executionId, proposal };
    });
  if ('status' in claim) {
    if (claim.status === 'blocked' && claim.reasons[0]?.policyId === 'pipeline.state') {
      throw new LeashError('invalid_state', `${proposalId}: ${claim.reasons[0].message}`);
    }
    return claim;
  }
  return runExecution(context, claim.proposal, claim.executionId);
}

/** Calls the connector with the execution's idempotency key; records success or a definitive failure. */
export async function runExecution(
  context: OperationContext,
  proposal: Proposal,
  executionId: string,
  recovered = false,
): Promise<ExecutionOutcome> {
  const operation = writeOperationOf(proposal);
  const key = idempotencyKeyFor(proposal.id);
  const input = parseInput(operation.input, proposal.input);
  const trail = { operation: operation.name, proposalId: proposal.id };
  let shownOnce: unknown;
  try {
    const result = await context.db.transaction().execute(async (trx) => {
      const bound = (proposal.payload.facts ?? {}) as Record<string, unknown>;
      const output = await operation.execute(input, context.connector(trx), key, bound, trx);
      // A value shown once (a webhook signing secret) goes back to the caller, never to the store or the log.
      const result = JSON.parse(JSON.stringify(output ?? null)) as Record<string, unknown> | null;
      if (result && !Array.isArray(result) && 'shownOnce' in result) {
        shownOnce = result.shownOnce;
        delete result.shownOnce;
      }
      await trx
        .updateTable('executions')
        .set({ status: 'succeeded', result: json(result), finishedAt: new Date() })
        .where('id', '=', executionId)
        .execute();
      await setProposalStatus(trx, proposal.orgId, proposal.id, 'succeeded');
      await recordStep(trx, context, recovered ? 'execution.recovered' : 'execution.succeeded', {
        ...trail,
        subjects: subjectsOf(proposal, result),
        result,
      });
      await recordBillingEvents(trx, proposal.orgId, operation.name, result);
      return result;
    });
    const shown = shownOnce === undefined || result === null ? result : { ...result, shownOnce };
    return { proposalId: proposal.id, status: 'succeeded', executionId, result: shown, reasons: [] };
  } catch (error) {
    // Infrastructure failures leave the record `executing` for recovery; a refusal by the billing system is final.
    if (!(error instanceof LeashError)) throw error;
    await context.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('executions')
        .set({ status: 'failed', error: `${error.code}: ${error.message}`, finishedAt: new Date() })
        .where('id', '=', executionId)
        .execute();
      await setProposalStatus(trx, proposal.orgId, proposal.id, 'failed');
      await releaseReservation(trx, proposal);
      await recordStep(trx, context, 'execution.failed', {
        ...trail,
        result: { code: error.code, message: error.message },
      });
    });
    return {
      proposalId: proposal.id,
      status: 'failed',
      executionId,
      result: { code: error.code, message: error.message },
      reasons: [],
    };
  }
}

function subjectsOf(proposal: Proposal, result: Record<string, unknown> | null) {
  const facts = (proposal.payload.facts ?? {}) as Record<string, unknown>;
  const pick = (name: string) => {
    const value = facts[name] ?? result?.[name];
    return typeof value === 'string' ? value : null;
  };
  return { customerId: pick('customerId'), invoiceId: pick('invoiceId'), chargeId: pick('chargeId') };
}
