/** Required context (POLICY.md): a missing field is a BLOCK naming every missing field. */
import { isReadKind } from './action-kinds.ts';

const BASE = ['request_id', 'actor', 'org', 'channel'] as const;
const WRITE = ['idempotency_key', 'case_id', 'reason'] as const;

/** The names of the required context fields missing from `context` for this kind. */
export function missingContext(kind: string, context: Record<string, unknown>, plannerProposed: boolean): string[] {
  const required: string[] = [...BASE];
  if (!isReadKind(kind)) required.push(...WRITE);
  if (plannerProposed && !isReadKind(kind)) required.push('user_input');
  return required.filter((field) => {
    const value = context[field];
    return typeof value !== 'string' || value.trim().length === 0;
  });
}
