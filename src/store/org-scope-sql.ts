/**
 * The statement that puts a database session in an org's scope (row-level security, migration 0011), or takes it
 * out: shared by the scoped driver (org-scope.ts) and the CLI's store worker, so both set exactly the same.
 */

/** Sets `leash.org_id` and the role for the session: `leash_app` inside an org's scope, the login role outside. */
export const SCOPE_SQL = "select set_config('leash.org_id', $1, false), set_config('role', $2, false)";

/** The parameters of SCOPE_SQL for `orgId` ('' = unscoped). */
export function scopeParameters(orgId: string): [string, string] {
  return [orgId, orgId ? 'leash_app' : 'none'];
}
