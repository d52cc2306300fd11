/**
 * One error type for broken invariants and infrastructure, with a code mapped once to an HTTP status, an
 * MCP `isError` and a CLI exit code. Expected outcomes (BLOCK, WARN, not found in a search) are values.
 */

/** Error codes and what they mean at the edges. */
export const ERROR_CODES = {
  bad_input: { http: 400, exit: 2 },
  not_found: { http: 404, exit: 1 },
  conflict: { http: 409, exit: 1 },
  invalid_state: { http: 409, exit: 1 },
  blocked: { http: 403, exit: 3 },
  forbidden: { http: 403, exit: 3 },
  unauthenticated: { http: 401, exit: 1 },
  rate_limited: { http: 429, exit: 1 },
  unavailable: { http: 503, exit: 1 },
  provider_error: { http: 502, exit: 1 },
  internal: { http: 500, exit: 1 },
} as const;

/** A Leash error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error base: a code, a message a person can act on, and optional details (field names, ids). */
export class LeashError extends Error {
  override readonly name = 'LeashError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A missing record; another org's id must produce exactly this too. */
export function notFound(resource: string, id: string): LeashError {
  return new LeashError('not_found', `no ${resource} ${id}`, { resource, id });
}

/** Bad input, naming the field. */
export function badInput(field: string, message: string): LeashError {
  return new LeashError('bad_input', `${field}: ${message}`, { field });
}

/** An action the record's state does not allow (refund above the remainder, void a paid invoice…). */
export function invalidState(message: string, details: Record<string, unknown> = {}): LeashError {
  return new LeashError('invalid_state', message, details);
}

/** True for a LeashError (of the given code, when one is named). */
export function isLeashError(error: unknown, code?: ErrorCode): error is LeashError {
  return error instanceof LeashError && (code === undefined || error.code === code);
}

/** What a caller is told of an internal error: the request id finds the details in the log. */
export const INTERNAL_MESSAGE = 'something went wrong on our side; the request id helps us find it';
