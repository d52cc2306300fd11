/** Which approval rules of the request's profile apply to it. */
import type { ApproverGroup, Role } from '../domain/roles.ts';
import type { DecisionRequest } from './decide.ts';
import type { ApprovalRule, PolicyRules } from './rules.ts';

/** The routes the gate adds on its own, whatever the profile's rules say (caps only in the caps profile). */
export const BUILT_IN_ROUTES = {
  /** More targets than the bulk threshold. */
  bulk: { groups: ['finance'], roles: ['owner'] },
  /** Over the actor's per-transaction cap. */
  overCap: { groups: ['finance'], roles: ['billing_manager', 'owner'] },
  /** Over the actor's daily limit. */
  dailyLimit: { groups: ['finance'], roles: ['owner'] },
} as const satisfies Record<string, { groups: readonly ApproverGroup[]; roles: readonly Role[] }>;

/** The rules of the request's profile that match its kind, operation and message flags. */
export function routeApprovals(rules: PolicyRules, request: DecisionRequest): ApprovalRule[] {
  return rules.profiles[request.profile].approvals.filter((rule) => {
    const matches =
      (rule.kinds ?? []).includes(request.kind as never) || (rule.operations ?? []).includes(request.operation);
    if (!matches) return false;
    // A rule about some fields applies when any of them changes; facts that name no fields count as all changed.
    const changed = request.facts.changedFields;
    if (rule.fields && changed && !rule.fields.some((field) => changed.includes(field))) return false;
    if (rule.when === 'billing_promise') return request.facts.makesBillingPromise === true;
    if (rule.when === 'tax_or_legal') return request.facts.makesTaxOrLegalClaim === true;
    return true;
  });
}
