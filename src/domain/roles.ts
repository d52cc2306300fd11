/** Member roles and approver groups (POLICY.md): each role a strict subset of the one above it. */

/** Roles, most powerful first. */
export const ROLES = ['owner', 'billing_manager', 'billing_clerk', 'read_only'] as const;
/** A member's one role. */
export type Role = (typeof ROLES)[number];

/** Groups that approval rules route requests to. */
export const APPROVER_GROUPS = ['finance', 'support_lead', 'legal', 'founder'] as const;
/** An approver group. */
export type ApproverGroup = (typeof APPROVER_GROUPS)[number];

/** True when `value` is a role name. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `value` is an approver group name. */
export function isApproverGroup(value: string): value is ApproverGroup {
  return (APPROVER_GROUPS as readonly string[]).includes(value);
}
