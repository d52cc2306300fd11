/** Which approval rules of the request's profile apply to it. */
import type { DecisionRequest } from './decide.ts';
import type { ApprovalRule, PolicyRules } from './rules.ts';

/** The rules of the request's profile that match its kind, operation and message flags. */
export function routeApprovals(rules: PolicyRules, request: DecisionRequest): ApprovalRule[] {
  return rules.profiles[request.profile].approvals.filter((rule) => {
    const matches =
      (rule.kinds ?? []).includes(request.kind as never) || (rule.operations ?? []).includes(request.operation);
    if (!matches) return false;
    if (rule.when === 'billing_promise') return request.facts.makesBillingPromise === true;
    if (rule.when === 'tax_or_legal') return request.facts.makesTaxOrLegalClaim === true;
    return true;
  });
}
