/**
 * `validateAction`: one question from another company's agent — may it carry out this action? — answered PASS,
 * WARN or BLOCK by the same policy as every Leash write (src/policy `decide()`), after the gate service's own checks
 * (known kind and type, required context, normalised types). PASS and WARN are stored with the payload's hash; WARN
 * also opens an approval request in the org's inbox. Every call is audited (channel `gate`). Fail closed: any error
 * is a BLOCK, never a PASS.
 */

import type { Transaction } from 'kysely';
import { checkApprovalCapacity } from '../approvals/approval-cap.ts';
import { createApprovalRequest } from '../approvals/approval-requests.ts';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';
import { isLeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { isCurrency } from '../domain/money.ts';
import { limitUsage } from '../operations/limits.ts';
import { modeGrantOf } from '../operations/policy-modes.ts';
import type { ActionKind } from '../policy/action-kinds.ts';
import { GUARD_ROUTE } from '../policy/check-guards.ts';
import type { Decision, DecisionRequest } from '../policy/decide.ts';
import type { Database } from '../store/schema.ts';
import { requiredGateContext, unknownKindReason, unknownTypeReason } from './catalogue.ts';
import { recordGateStep } from './gate-audit.ts';
import { findByIdempotencyKey, type GateDecision, insertGateDecision } from './gate-decisions.ts';
import {
  agentNameOf,
  EXTERNAL_OPERATION,
  type GateAnswer,
  type GateCaller,
  type GateReason,
  toGateReasons,
} from './gate-types.ts';
import { type GateRequestBody, missingFields, type NormalisedRequest, normaliseRequest } from './normalise-request.ts';
import { policyRequestOf } from './policy-request.ts';

/** The reason a normalised request carries (seed 004's wording). */
export const SCHEMA_MISMATCH = 'Schema mismatch. Proceeding with enforcement using normalized input.';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The approval request (and its token) could not be made: the WARN is withdrawn and the answer is BLOCK. */
class ApprovalTokenFailure extends Error {
  constructor(cause: unknown) {
    super('approval token generation failed', { cause });
  }
}

const block = (decisionId: string, reasons: GateReason[], extra: Partial<GateAnswer> = {}): GateAnswer => ({
  decision: 'BLOCK',
  decision_id: decisionId,
  reasons,
  ...extra,
});

/** Validates one request; never throws (an error is a BLOCK, logged through `onError`). */
export async function validateAction(
  caller: GateCaller,
  body: GateRequestBody,
  onError: (error: unknown) => void = () => {},
): Promise<GateAnswer> {
  const decisionId = newId('decision');
  let answer: GateAnswer;
  let normalised: NormalisedRequest | undefined;
  try {
    ({ answer, normalised } = await decideAndStore(caller, body, decisionId));
  } catch (error) {
    // Fail closed: whatever went wrong, the agent must not act. Too many waiting requests is an expected refusal.
    if (isLeashError(error, 'rate_limited'))
      answer = block(decisionId, [{ policy_id: 'approval.capacity', message: error.message }]);
    else {
      onError(error);
      const message =
        error instanceof ApprovalTokenFailure
          ? 'Approval token generation failed. Blocking by default.'
          : 'The gate could not decide. Blocking by default.';
      answer = block(decisionId, [{ policy_id: 'gate.error', message }]);
    }
  }

  if (answer.decision === 'BLOCK') await auditBlock(caller, body, normalised, answer, onError);
  return answer;
}

/** The checks, the policy's decision and, for PASS and WARN, the stored decision (and approval request). */
async function decideAndStore(
  caller: GateCaller,
  body: GateRequestBody,
  decisionId: string,
): Promise<{ answer: GateAnswer; normalised?: NormalisedRequest }> {
  const kindProblem = unknownKindReason(body.action_kind);
  if (kindProblem) return { answer: block(decisionId, [{ policy_id: 'gate.unknown_kind', message: kindProblem }]) };
  const kind = body.action_kind as ActionKind;
  const typeProblem = unknownTypeReason(kind, body.action_type);
  if (typeProblem) return { answer: block(decisionId, [{ policy_id: 'gate.unknown_type', message: typeProblem }]) };
  const required = requiredGateContext(kind);
  const normalised = normaliseRequest(body, required);
  const shown = normalised.mismatches.length > 0 ? { normalized_input: payloadOf(normalised) } : {};
  const missing = missingFields(normalised.context, required);
  if (missing.length > 0) {
    const message = `Missing required context (${missing.join(', ')}).`;
    return { answer: block(decisionId, [{ policy_id: 'context.required', message }], shown), normalised };
  }
  const payload = payloadOf(normalised);
  const payloadHash = sha256Hex(canonicalJson(payload));
  const idempotencyKey = normalised.context.idempotency_key as string;
  const earlier = await findByIdempotencyKey(caller.db, caller.actor.orgId, idempotencyKey);
  if (earlier) return { answer: replay(earlier, payloadHash, decisionId), normalised };

  const modes = await modeGrantOf(caller.db, caller.actor);
  const asked = policyRequestOf({ request: normalised, actor: caller.actor, profile: caller.profile, modes });
  // One transaction from the limits' sums to the stored decision, under the limits' locks: parallel validations
  // of the same member (or account) see each other's amounts, as parallel proposals do.
  return caller.db.transaction().execute(async (trx) => {
    const question = { ...asked, ...(await usageOf(trx, caller, asked, normalised)) };
    const policy = caller.gate.decide(question);
    return {
      answer: await answerOf(trx, caller, normalised, {
        decisionId,
        payload,
        payloadHash,
        idempotencyKey,
        policy,
        question,
        shown,
      }),
      normalised,
    };
  });
}

/** What the member (and the agent's account) already hold against the cumulative limits, for a money request. */
async function usageOf(
  trx: Transaction<Database>,
  caller: GateCaller,
  question: DecisionRequest,
  request: NormalisedRequest,
): Promise<Pick<DecisionRequest, 'usedToday' | 'usedForCustomer'>> {
  const money = question.facts.money;
  if (!money || !isCurrency(money.currency)) return {};
  const account = request.context.account_id;
  return limitUsage(trx, {
    orgId: caller.actor.orgId,
    memberId: caller.actor.memberId,
    kind: question.kind,
    money: { currency: money.currency },
    customerIds: typeof account === 'string' && account.trim() ? [account] : [],
    at: new Date(),
  });
}

/** The policy's answer as the agent gets it; a PASS or WARN is stored (with its approval request) in `trx`. */
async function answerOf(
  trx: Transaction<Database>,
  caller: GateCaller,
  normalised: NormalisedRequest,
  input: {
    decisionId: string;
    payload: Record<string, unknown>;
    payloadHash: string;
    idempotencyKey: string;
    policy: Decision;
    question: DecisionRequest;
    shown: Partial<GateAnswer>;
  },
): Promise<GateAnswer> {
  const { decisionId, payload, payloadHash, idempotencyKey, policy, question, shown } = input;
  const reasons = toGateReasons(policy.reasons);
  if (policy.outcome === 'block') return block(decisionId, reasons, shown);
  const mismatch = normalised.mismatches.length > 0;
  if (mismatch)
    reasons.push({
      policy_id: 'gate.schema_mismatch',
      message: `${SCHEMA_MISMATCH} (${normalised.mismatches.join(', ')})`,
    });
  const warn = policy.outcome === 'warn' || mismatch;
  const stored = {
    decisionId,
    payload,
    payloadHash,
    idempotencyKey,
    policy,
    question: { ...question, actor: undefined, requesterId: caller.actor.memberId },
  };
  const token = await store(trx, caller, normalised, stored, warn);
  return {
    decision: warn ? 'WARN' : 'PASS',
    decision_id: decisionId,
    reasons,
    ...(token ? { approval_token: token } : {}),
    payload_hash: payloadHash,
    ...shown,
  };
}

/** The payload an approval binds: the request as enforced. */
function payloadOf(request: NormalisedRequest): Record<string, unknown> {
  return {
    action_kind: request.actionKind,
    action_type: request.actionType,
    ai_output: request.aiOutput,
    context: request.context,
  };
}

/** The same key again: the first decision for the same payload, a BLOCK for another one. */
function replay(earlier: GateDecision, payloadHash: string, decisionId: string): GateAnswer {
  if (earlier.payloadHash !== payloadHash) {
    return block(decisionId, [
      {
        policy_id: 'gate.idempotency_conflict',
        message: `idempotency_key was already validated (decision ${earlier.id}) with a different payload; send a new key for a new action`,
      },
    ]);
  }
  return {
    decision: earlier.decision === 'warn' ? 'WARN' : 'PASS',
    decision_id: earlier.id,
    reasons: toGateReasons(earlier.reasons),
    payload_hash: earlier.payloadHash,
    replayed: true,
  };
}

/** Who a WARN goes to: the policy's approvers, or (a schema mismatch alone) a support lead or the owner. */
function routesOf(policy: Decision): { groups: string[]; roles: string[] } {
  const { groups, roles } = policy.requiredApprovers;
  if (groups.length + roles.length > 0) return { groups: [...groups], roles: [...roles] };
  return { groups: [...GUARD_ROUTE.groups], roles: [...GUARD_ROUTE.roles] };
}

/** Stores the decision, its approval request (WARN) and their audit rows in one transaction; the WARN's token. */
async function store(
  trx: Transaction<Database>,
  caller: GateCaller,
  request: NormalisedRequest,
  stored: {
    decisionId: string;
    payload: Record<string, unknown>;
    payloadHash: string;
    idempotencyKey: string;
    policy: Decision;
    question: Record<string, unknown>;
  },
  warn: boolean,
): Promise<string | undefined> {
  const now = new Date();
  const ttlMs = (caller.gate.rules?.approval_ttl_hours ?? 24) * 60 * 60 * 1000 || DAY_MS;
  const routes = routesOf(stored.policy);
  const reasons = [
    ...stored.policy.reasons,
    ...(request.mismatches.length > 0
      ? [{ policyId: 'gate.schema_mismatch', message: `${SCHEMA_MISMATCH} (${request.mismatches.join(', ')})` }]
      : []),
  ];
  const userInput = typeof request.context.user_input === 'string' ? request.context.user_input : null;
  await insertGateDecision(trx, {
    id: stored.decisionId,
    orgId: caller.actor.orgId,
    requesterId: caller.actor.memberId,
    apiKeyId: caller.apiKey?.id ?? null,
    agentName: agentNameOf(caller),
    actionKind: request.actionKind,
    actionType: request.actionType,
    payload: stored.payload,
    payloadHash: stored.payloadHash,
    idempotencyKey: stored.idempotencyKey,
    requestId: caller.requestId,
    decision: warn ? 'warn' : 'pass',
    reasons,
    policyRequest: { ...stored.question, policyOutcome: stored.policy.outcome, routes },
    status: warn ? 'pending_approval' : 'pass',
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
  });
  const trail = {
    operation: EXTERNAL_OPERATION,
    arguments: {
      decisionId: stored.decisionId,
      actionKind: request.actionKind,
      actionType: request.actionType,
      payloadHash: stored.payloadHash,
    },
    userInput,
  };
  await recordGateStep(trx, caller, 'decision.made', {
    ...trail,
    decision: { outcome: warn ? 'warn' : 'pass', decisionId: stored.decisionId, reasons },
  });
  if (!warn) return undefined;
  // The same cap on waiting requests per member as every proposal (LEASH_MAX_OPEN_APPROVALS, …/PER_HOUR).
  await checkApprovalCapacity(trx, { orgId: caller.actor.orgId, requesterId: caller.actor.memberId, now });
  const { request: approval, handle } = await createApprovalRequest(trx, {
    orgId: caller.actor.orgId,
    decisionId: stored.decisionId,
    requesterId: caller.actor.memberId,
    payload: stored.payload,
    payloadHash: stored.payloadHash,
    groups: routes.groups,
    roles: routes.roles,
    minCap: stored.policy.requiredApprovers.minCap,
    now,
    ttlMs,
  }).catch((error: unknown) => {
    throw new ApprovalTokenFailure(error);
  });
  await recordGateStep(trx, caller, 'approval.requested', { ...trail, result: { approvalId: approval.id } });
  return handle;
}

/** A BLOCK is final and kept only in the audit log; an audit failure is logged, the answer stays BLOCK. */
async function auditBlock(
  caller: GateCaller,
  body: GateRequestBody,
  normalised: NormalisedRequest | undefined,
  answer: GateAnswer,
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    const userInput = normalised?.context.user_input;
    await recordGateStep(caller.db, caller, 'decision.made', {
      operation: EXTERNAL_OPERATION,
      arguments: {
        decisionId: answer.decision_id,
        actionKind: String(body.action_kind).slice(0, 100),
        actionType: String(body.action_type).slice(0, 100),
      },
      decision: {
        outcome: 'block',
        decisionId: answer.decision_id,
        reasons: answer.reasons.map((reason) => ({ policyId: reason.policy_id, message: reason.message })),
      },
      userInput: typeof userInput === 'string' ? userInput : null,
    });
  } catch (error) {
    onError(error);
  }
}
