/** The gate's types: who acts, what is known about the action, what is asked and what is answered. */
import type { ModeGrant } from '../domain/modes.ts';
import type { ApproverGroup, Role } from '../domain/roles.ts';
import type { PolicyProfile } from './action-kinds.ts';
import type { OutboundFinding } from './outbound-text.ts';
import type { AttemptQuestion } from './role-reach.ts';
import type { PolicyRules } from './rules.ts';

/** The member acting, always from the session. */
export interface Actor {
  memberId: string;
  orgId: string;
  email: string;
  role: Role;
  groups: ApproverGroup[];
}

/** Server-derived facts about what the action does. */
export interface DecisionFacts {
  money?: { amount: number; currency: string };
  customerIds: string[];
  targetCount: number;
  reversible: boolean;
  refundableRemaining?: number;
  chargeCurrency?: string;
  customerCurrency?: string;
  /** Customer fields an update changes (clerks may change only email and address). */
  changedFields?: string[];
  makesBillingPromise?: boolean;
  makesTaxOrLegalClaim?: boolean;
  /** An update that changes where a customer's billing mail goes (operations/guard-facts.ts). */
  contactChange?: { customerId: string; from: string; to: string };
  /** Before a reply is sent: when its customer's email last changed. */
  lastEmailChange?: { customerId: string; to: string; changedAt: string; hoursAgo: number };
  /** What the write's outbound free text holds that is not the addressed customer's own. */
  outboundFindings?: OutboundFinding[];
  /** A change of the org's modes (set_policy_modes): whether it turns anything on. */
  modeChange?: { widens: boolean };
}

/** One question for the gate. */
export interface DecisionRequest {
  operation: string;
  kind: string;
  stage: 'propose' | 'execute';
  actor: Actor;
  profile: PolicyProfile;
  context: Record<string, unknown>;
  facts: DecisionFacts;
  /** What the actor reserved of this kind and currency in the last 24 h (rolling). */
  usedToday?: { amount: number; currency: string };
  /** What all members reserved of this kind and currency for the action's customer in the last 24 h. */
  usedForCustomer?: { amount: number; currency: string; customerId: string };
  confirmText?: string;
  plannerProposed?: boolean;
  /**
   * The actor's modes, resolved by operations from the org's settings (member override, then role; unreadable
   * settings give Insight only). Absent only where no org is behind the question (policy tests, `policy explain`).
   */
  modes?: ModeGrant;
}

/** A reason, quoting the policy that gave it. */
export interface DecisionReason {
  policyId: string;
  message: string;
}

/** Who may approve a WARN. */
export interface RequiredApprovers {
  groups: ApproverGroup[];
  roles: Role[];
  minCap?: { amount: number; currency: string };
}

/** The gate's answer. */
export interface Decision {
  outcome: 'pass' | 'warn' | 'block';
  decisionId: string;
  reasons: DecisionReason[];
  requiredApprovers: RequiredApprovers;
  remediation?: string;
  policyVersion: string;
  needsConfirmText: boolean;
}

/** The loaded policy. */
export interface Gate {
  readonly policyVersion: string;
  readonly rules: PolicyRules | null;
  /** Problems found at load; when non-empty every write blocks. */
  readonly problems: string[];
  decide(request: DecisionRequest): Decision;
  canApprove(approver: Actor, request: DecisionRequest): Decision;
  /** False when the actor's role and groups alone rule this operation out (what a surface need not offer). */
  mayAttempt(actor: Actor, question: AttemptQuestion): boolean;
  /** True when the actor could be routed an approval request for one of `writes` (and may attempt it). */
  mayApprove(
    actor: Actor,
    question: Pick<AttemptQuestion, 'channel' | 'profile'>,
    writes: readonly { operation: string; kind: string }[],
  ): boolean;
}

/** What load-gate hands the gate. */
export interface LoadedPolicy {
  policySetId: string;
  schemaName: string;
  rules: PolicyRules | null;
  problems: string[];
  version: string;
  /** The policy texts by id and the schema, for questions asked before a request exists (role-reach.ts). */
  policies: Record<string, string>;
  schema: string;
}
