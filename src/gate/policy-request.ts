/**
 * Turns an external agent's normalised request into the policy's question (src/policy `decide()`): identity from
 * the credential (never from the context), the agent's context as the policy's required context, and the only
 * fact Leash can take from an action it does not carry out itself — the amount the agent says it will move — and
 * the key member's modes (issue 20), so an agent cannot do what its member's modes have off.
 */
import type { ModeGrant } from '../domain/modes.ts';
import type { Actor, DecisionFacts, DecisionRequest, PolicyProfile } from '../policy/decide.ts';
import { EXTERNAL_OPERATION, GATE_CHANNEL } from './gate-types.ts';
import type { NormalisedRequest } from './normalise-request.ts';

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);

/** The money in `ai_output` (`amount` in minor units and `currency`), when the agent gave it. */
function moneyOf(aiOutput: Record<string, unknown>): DecisionFacts['money'] {
  const { amount, currency } = aiOutput;
  if (amount === undefined && currency === undefined) return undefined;
  // Passed on as given: the policy's money checks refuse a non-integer, non-positive or unknown-currency amount.
  return { amount: amount as number, currency: typeof currency === 'string' ? currency.toLowerCase() : '' };
}

/** The decision request for `request`, asked by `actor` through the gate. */
export function policyRequestOf(input: {
  request: NormalisedRequest;
  actor: Actor;
  profile: PolicyProfile;
  /** The key member's modes (operations/policy-modes.ts `modeGrantOf`): an agent acts within them like a person. */
  modes: ModeGrant;
  stage?: 'propose' | 'execute';
}): DecisionRequest {
  const { context, aiOutput } = input.request;
  const caseId = text(context.case_id);
  const reason = text(context.reason) ?? text(context.workflowName);
  const userInput = text(context.user_input);
  const money = moneyOf(aiOutput);
  return {
    operation: EXTERNAL_OPERATION,
    kind: input.request.actionKind,
    stage: input.stage ?? 'propose',
    actor: input.actor,
    profile: input.profile,
    context: {
      request_id: text(context.request_id),
      idempotency_key: text(context.idempotency_key),
      actor: input.actor.memberId,
      org: input.actor.orgId,
      channel: GATE_CHANNEL,
      ...(caseId ? { case_id: caseId } : {}),
      ...(reason ? { reason } : {}),
      ...(userInput ? { user_input: userInput } : {}),
    },
    facts: { ...(money ? { money } : {}), customerIds: [], targetCount: 1, reversible: true },
    plannerProposed: true,
    modes: input.modes,
  };
}
