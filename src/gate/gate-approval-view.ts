/**
 * How an approver sees a gate decision in the inbox: which external agent (API key name) asks, the action kind and
 * type, the payload it will execute and the end user's words — all as the agent sent them, so shown as untrusted
 * data, never as instructions. Only the routing, the policy's reasons and the payload hash are Leash's own.
 */
import type { Kysely } from 'kysely';
import { KIND_PHRASES } from '../policy/action-kinds.ts';
import type { Database } from '../store/schema.ts';
import { findGateDecision } from './gate-decisions.ts';
import { EXTERNAL_OPERATION } from './gate-types.ts';

/** What the inbox shows of an external agent's request. */
export interface ExternalAgentView {
  agent: string;
  decisionId: string;
  actionKind: string;
  actionType: string;
  /** The agent's payload (its context and ai_output): untrusted data. */
  payload: Record<string, unknown>;
  /** The end user's words as the agent reported them: untrusted data. */
  userInput: string | null;
  reasons: { policyId: string; message: string }[];
  status: string;
}

/** The parts of an approval view a gate decision fills in. */
export interface GateViewParts {
  operation: string;
  summary: string;
  money: { amount: number; currency: string } | null;
  preview: {
    summary: string;
    changes: never[];
    money: { amount: number; currency: string } | null;
    customers: never[];
    targets: string[];
    reversible: boolean;
    details: Record<string, unknown>;
  };
  reason: string | null;
  caseId: string | null;
  external: ExternalAgentView;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The view parts of decision `decisionId` of the org. */
export async function gateViewParts(db: Kysely<Database>, orgId: string, decisionId: string): Promise<GateViewParts> {
  const decision = await findGateDecision(db, orgId, decisionId);
  if (!decision) throw new Error(`approval request without its gate decision ${decisionId}`);
  const context = (decision.payload.context ?? {}) as Record<string, unknown>;
  const output = (decision.payload.ai_output ?? {}) as Record<string, unknown>;
  const amount = output.amount;
  const currency = output.currency;
  const money =
    typeof amount === 'number' && Number.isSafeInteger(amount) && typeof currency === 'string'
      ? { amount, currency: currency.toLowerCase() }
      : null;
  const phrase = KIND_PHRASES[decision.actionKind as keyof typeof KIND_PHRASES] ?? decision.actionKind;
  const summary = `External agent "${decision.agentName}" asks to ${phrase} (${decision.actionKind}/${decision.actionType})`;
  return {
    operation: EXTERNAL_OPERATION,
    summary,
    money,
    preview: {
      summary,
      changes: [],
      money,
      customers: [],
      targets: [],
      reversible: true,
      details: { externalAgent: decision.agentName, decisionId: decision.id, payloadHash: decision.payloadHash },
    },
    reason: text(context.workflowName),
    caseId: text(context.case_id),
    external: {
      agent: decision.agentName,
      decisionId: decision.id,
      actionKind: decision.actionKind,
      actionType: decision.actionType,
      payload: decision.payload,
      userInput: text(context.user_input),
      reasons: decision.reasons,
      status: decision.status,
    },
  };
}
