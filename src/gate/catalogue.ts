/**
 * What the gate service accepts (seed 004's contract over our policy): the action kinds of POLICY.md, the
 * action types each kind allows, and the context another company's agent must send with each kind. The decision
 * itself is the policy's (src/policy `decide()`); this file only says what a request must carry to be decided.
 */
import { ACTION_KINDS, type ActionKind, isActionKind, isReadKind } from '../policy/action-kinds.ts';

/** The action types each kind allows: the verb of the kind, as seed 004 does for `billing.change` (`change`). */
export const GATE_ACTION_TYPES: Record<ActionKind, readonly string[]> = {
  'data.read': ['read'],
  'data.export': ['export'],
  'support.case_update': ['update'],
  'messaging.draft': ['draft'],
  'messaging.send': ['send'],
  'money.refund': ['refund'],
  'money.credit': ['credit'],
  'billing.change': ['change'],
  'billing.cancel': ['cancel'],
  'billing.configure': ['configure'],
  'identity.user_create': ['create'],
  'identity.role_change': ['change'],
  'integrations.connect': ['connect'],
  'messaging.webhook': ['configure'],
  'messaging.broadcast': ['send'],
};

/** Context every request carries so the decision is deterministic and auditable (seed 004's integration fields). */
export const INTEGRATION_CONTEXT = [
  'workflow',
  'workflowName',
  'system_instructions',
  'user_input',
  'actor_user_id',
  'account_id',
  'request_id',
  'idempotency_key',
] as const;

/** Evidence a money or billing change needs: a case, the transaction it is about and a server-side authz answer. */
export const EVIDENCE_CONTEXT = ['invoice_id', 'transaction_id', 'case_id', 'authz_decision'] as const;

/** Kinds that need evidence (seed 004: refunds, credits and billing changes without verified evidence BLOCK). */
const EVIDENCE_KINDS: readonly string[] = ['money.refund', 'money.credit', 'billing.change', 'billing.cancel'];

/** The context fields a kind requires, in the order a "Missing required context" reason names them. */
export function requiredGateContext(kind: ActionKind): string[] {
  const fields: string[] = [...INTEGRATION_CONTEXT];
  if (EVIDENCE_KINDS.includes(kind)) fields.push(...EVIDENCE_CONTEXT);
  // Every write names its case (POLICY.md), whatever its kind.
  else if (!isReadKind(kind)) fields.push('case_id');
  return fields;
}

/** Why a kind is refused, or undefined for a known kind. */
export function unknownKindReason(kind: string): string | undefined {
  if (isActionKind(kind)) return undefined;
  return `Unknown action_kind. Supported action_kind values: ${ACTION_KINDS.join(', ')}.`;
}

/** Why a type is refused for a known kind, or undefined when the kind allows it. */
export function unknownTypeReason(kind: ActionKind, type: string): string | undefined {
  const allowed = GATE_ACTION_TYPES[kind];
  if (allowed.includes(type)) return undefined;
  return `Unknown action_type for action_kind ${kind}. Supported action_type values: ${allowed.join(', ')}.`;
}
