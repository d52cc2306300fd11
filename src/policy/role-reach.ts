/**
 * What a member's role and groups alone allow, before any request exists: Cedar partial evaluation with the
 * request's facts (amount, currency, targets, reversibility, changed fields) left unknown. "Allow" and "depends on
 * the facts" both mean the member may attempt it; only a plain "deny" rules it out. Surfaces use this to offer a
 * member only what they could use; the gate still decides every request on its facts.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { ApproverGroup, Role } from '../domain/roles.ts';
import type { PolicyProfile } from './action-kinds.ts';
import { BUILT_IN_ROUTES } from './approval-routing.ts';
import type { PolicyRules } from './rules.ts';

/** The member asked about (the session's actor). */
export interface ReachPrincipal {
  memberId: string;
  orgId: string;
  role: Role;
  groups: readonly ApproverGroup[];
}

/** An operation a member might attempt, with what is known before its input is. */
export interface AttemptQuestion {
  /** Unknown when absent: the answer then holds for every operation of the kind, or "depends". */
  operation?: string | undefined;
  kind: string;
  channel: string;
  profile: PolicyProfile;
}

const unknown = (name: string) => ({ __extn: { fn: 'unknown', arg: name } });
const FACTS = ['amount', 'currency', 'targets', 'reversible', 'fields'] as const;

/** Cedar's answer with the facts unknown: allowed whatever they are, denied whatever they are, or it depends. */
export type Reach = 'allow' | 'deny' | 'depends';

/**
 * What the policies answer for `principal` (by role and groups: the member id is a placeholder, so a policy naming
 * one member by id is not taken into account) whatever the request's facts. Errors deny.
 */
export function roleReach(
  policy: { policies: Record<string, string> },
  principal: Pick<ReachPrincipal, 'orgId' | 'role' | 'groups'>,
  question: AttemptQuestion,
): Reach {
  const member = { type: 'Leash::Member', id: 'reach' };
  const org = { type: 'Leash::Org', id: principal.orgId };
  const context = {
    operation: question.operation ?? unknown('operation'),
    kind: question.kind,
    channel: question.channel,
    profile: question.profile,
    ...Object.fromEntries(FACTS.map((fact) => [fact, unknown(fact)])),
  };
  const answer = cedar.isAuthorizedPartial({
    principal: member,
    action: { type: 'Leash::Action', id: question.kind },
    resource: org,
    context: context as cedar.Context,
    // The policies were validated against the schema at load; the request holds unknowns the validator refuses.
    validateRequest: false,
    policies: { staticPolicies: policy.policies },
    entities: [
      { uid: member, attrs: { role: principal.role, groups: [...principal.groups] }, parents: [org] },
      { uid: org, attrs: {}, parents: [] },
    ],
  });
  // Fail closed: an error or an errored policy never widens what a member is offered.
  if (answer.type === 'failure' || answer.response.errored.length > 0) return 'deny';
  return answer.response.decision ?? 'depends';
}

/**
 * True when some approval route of `profile` (the rules' and the gate's own: bulk, caps, daily limits) names the
 * member's role or one of their groups for an operation the member may attempt themselves — the gate's
 * conditions for letting someone approve, before any request exists.
 */
export function roleMayApprove(
  rules: PolicyRules,
  principal: ReachPrincipal,
  profile: PolicyProfile,
  writes: readonly { operation: string; kind: string }[],
  mayAttempt: (write: { operation: string; kind: string }) => boolean,
): boolean {
  const builtIn = [
    BUILT_IN_ROUTES.bulk,
    BUILT_IN_ROUTES.dailyLimit,
    ...(profile === 'caps' ? [BUILT_IN_ROUTES.overCap] : []),
  ];
  const names = (route: { groups: readonly ApproverGroup[]; roles: readonly Role[] }) =>
    route.roles.includes(principal.role) || route.groups.some((group) => principal.groups.includes(group));
  return writes.some((write) => {
    const ruled = rules.profiles[profile].approvals.filter(
      (rule) => (rule.kinds ?? []).includes(write.kind as never) || (rule.operations ?? []).includes(write.operation),
    );
    return [...ruled, ...builtIn].some(names) && mayAttempt(write);
  });
}
