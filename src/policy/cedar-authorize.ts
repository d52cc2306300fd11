/**
 * One Cedar question, answered fail-closed: allow only when Cedar says allow and reports no error at all.
 * Policies and schema are pre-parsed once per load; each call sends only the request and two entities.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

/** Cedar's verdict, reduced to what the gate needs. */
export interface CedarVerdict {
  allowed: boolean;
  /** Policy ids that made the decision (permits for allow, forbids for deny). */
  policyIds: string[];
  /** Any error: a failed call, an errored policy. Non-empty means BLOCK. */
  errors: string[];
}

/** The principal as Cedar sees it. */
export interface CedarPrincipal {
  memberId: string;
  orgId: string;
  role: string;
  groups: readonly string[];
  cap?: number | undefined;
}

/** Asks Cedar whether `principal` may do `action` with `context` under the pre-parsed policy set. */
export function authorize(
  policySetId: string,
  schemaName: string,
  principal: CedarPrincipal,
  action: string,
  context: Record<string, cedar.CedarValueJson>,
): CedarVerdict {
  const member = { type: 'Leash::Member', id: principal.memberId };
  const org = { type: 'Leash::Org', id: principal.orgId };
  const answer = cedar.statefulIsAuthorized({
    principal: member,
    action: { type: 'Leash::Action', id: action },
    resource: org,
    context,
    preparsedPolicySetId: policySetId,
    preparsedSchemaName: schemaName,
    validateRequest: true,
    entities: [
      {
        uid: member,
        attrs: {
          role: principal.role,
          groups: [...principal.groups],
          ...(principal.cap !== undefined ? { cap: principal.cap } : {}),
        },
        parents: [org],
      },
      { uid: org, attrs: {}, parents: [] },
    ],
  });
  if (answer.type === 'failure')
    return { allowed: false, policyIds: [], errors: answer.errors.map((error) => error.message) };
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`);
  // Fail closed: an errored policy anywhere means the answer cannot be trusted.
  return { allowed: decision === 'allow' && errors.length === 0, policyIds: diagnostics.reason, errors };
}
