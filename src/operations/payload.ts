/**
 * The canonical payload an approval binds: who asked for which operation with which input, and the stable
 * server-derived facts (targets, amounts, currencies). RFC 8785 JSON, SHA-256.
 */
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';

/** Builds the payload and its hash. */
export function buildPayload(input: {
  orgId: string;
  operation: string;
  kind: string;
  requesterId: string;
  input: unknown;
  bound: Record<string, unknown>;
}): { payload: Record<string, unknown>; hash: string } {
  const payload = {
    org: input.orgId,
    operation: input.operation,
    kind: input.kind,
    requester: input.requesterId,
    input: input.input,
    facts: input.bound,
  };
  const canonical = canonicalJson(payload);
  return { payload: JSON.parse(canonical) as Record<string, unknown>, hash: sha256Hex(canonical) };
}
