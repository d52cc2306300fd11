/** The gate service's shared types: who calls, and what the answer to another company's agent looks like. */
import type { Kysely } from 'kysely';
import type { Actor, DecisionReason, Gate, PolicyProfile } from '../policy/decide.ts';
import type { Database } from '../store/schema.ts';

/** The operation name gate decisions carry in the policy and the audit log (rules.yaml may route it). */
export const EXTERNAL_OPERATION = 'external_action';

/** The audit channel of every gate call. */
export const GATE_CHANNEL = 'gate';

/** Who is calling the gate: identity from the credential only (a member, and the API key's name if any). */
export interface GateCaller {
  readonly db: Kysely<Database>;
  readonly gate: Gate;
  readonly actor: Actor;
  readonly profile: PolicyProfile;
  readonly requestId: string;
  /** The API key the agent called with; null for a member's own session. */
  readonly apiKey: { id: string; name: string } | null;
}

/** The answer's decision, in seed 004's spelling. */
export type GateVerdict = 'PASS' | 'WARN' | 'BLOCK';

/** One reason, quoting the policy (or gate check) that gave it. */
export interface GateReason {
  policy_id: string;
  message: string;
}

/** What `POST /api/gate/validate` answers. */
export interface GateAnswer {
  decision: GateVerdict;
  decision_id: string;
  reasons: GateReason[];
  /** WARN only: the one-time approval handle (shown once; an approver can open the request with it). */
  approval_token?: string;
  /** SHA-256 of the canonical normalised payload: what an approval and the execution record are bound to. */
  payload_hash?: string;
  /** The input as enforced, when some of it had to be normalised (schema mismatch). */
  normalized_input?: Record<string, unknown>;
  /** True when the same idempotency key and payload were validated before: the first decision, again. */
  replayed?: boolean;
}

/** Seed 004's spelling of a policy reason. */
export function toGateReasons(reasons: readonly DecisionReason[]): GateReason[] {
  return reasons.map((reason) => ({ policy_id: reason.policyId, message: reason.message }));
}

/** The name an approver sees for the agent: the API key's name, or "session of <email>". */
export function agentNameOf(caller: Pick<GateCaller, 'apiKey' | 'actor'>): string {
  return caller.apiKey ? caller.apiKey.name : `session of ${caller.actor.email}`;
}
