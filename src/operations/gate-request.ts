/** Builds the gate's request from the session, the validated input and the server-derived facts. */
import type { ModeGrant } from '../domain/modes.ts';
import type { Actor, DecisionFacts, DecisionRequest } from '../policy/decide.ts';
import type { OperationContext } from './define-operation.ts';

/** The idempotency key of a proposal's execution: derived from the proposal id, so every retry reuses it. */
export function idempotencyKeyFor(proposalId: string): string {
  return `leash_${proposalId}`;
}

/** Reads `case_id` and `reason` from an operation's input, when it has them. */
function textField(input: unknown, field: string): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/** One decision request. Identity comes only from `actor` (the session), never from the input. */
export function gateRequest(input: {
  context: OperationContext;
  actor: Actor;
  operation: { name: string; kind: string };
  operationInput: unknown;
  facts: DecisionFacts;
  stage: 'propose' | 'execute';
  proposalId: string;
  usedToday?: { amount: number; currency: string } | undefined;
  usedForCustomer?: { amount: number; currency: string; customerId: string } | undefined;
  confirmText?: string | undefined;
  /** The actor's modes (policy-modes.ts modeGrantOf). */
  modes?: ModeGrant | undefined;
}): DecisionRequest {
  const { context, actor } = input;
  const caseId = textField(input.operationInput, 'case_id');
  const reason = textField(input.operationInput, 'reason');
  const plannerProposed = context.channel === 'agent' || context.userInput !== undefined;
  return {
    operation: input.operation.name,
    kind: input.operation.kind,
    stage: input.stage,
    actor,
    profile: context.profile,
    context: {
      request_id: context.requestId,
      idempotency_key: idempotencyKeyFor(input.proposalId),
      actor: actor.memberId,
      org: actor.orgId,
      channel: context.channel,
      ...(caseId ? { case_id: caseId } : {}),
      ...(reason ? { reason } : {}),
      ...(context.userInput ? { user_input: context.userInput } : {}),
    },
    facts: input.facts,
    ...(input.usedToday ? { usedToday: input.usedToday } : {}),
    ...(input.usedForCustomer ? { usedForCustomer: input.usedForCustomer } : {}),
    ...(input.confirmText !== undefined ? { confirmText: input.confirmText } : {}),
    plannerProposed,
    ...(input.modes ? { modes: input.modes } : {}),
  };
}
