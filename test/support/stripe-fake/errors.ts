/**
 * Stripe's error bodies, in Stripe's words (the 401/403/404 wording matches test/support/stripe-permissions.ts).
 * A handler throws `FakeError`; the server answers its status and body.
 */

/** An error answer: status and Stripe's `{ error: {...} }` body. */
export interface FakeErrorBody {
  status: number;
  error: { type: string; code?: string; message: string; param?: string; doc_url?: string; decline_code?: string };
}

/** Thrown by handlers; carries the answer. */
export class FakeError extends Error {
  constructor(readonly body: FakeErrorBody) {
    super(body.error.message);
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

/** A 400 `invalid_request_error` (or another status). */
export function invalidRequest(
  message: string,
  options: { code?: string; param?: string; status?: number } = {},
): FakeErrorBody {
  return {
    status: options.status ?? 400,
    error: {
      type: 'invalid_request_error',
      message,
      ...(options.code ? { code: options.code, doc_url: docUrl(options.code) } : {}),
      ...(options.param ? { param: options.param } : {}),
    },
  };
}

/** 404 for an unknown object: `No such customer: 'cus_x'`. */
export function noSuch(object: string, id: string, param = 'id'): FakeError {
  return new FakeError(invalidRequest(`No such ${object}: '${id}'`, { code: 'resource_missing', param, status: 404 }));
}

/** 404 for a path or method the spec does not have. */
export function unrecognizedUrl(method: string, path: string): FakeErrorBody {
  return invalidRequest(`Unrecognized request URL (${method}: ${path}).`, { status: 404 });
}

/** A key as Stripe shows it in messages. */
export function maskedKey(key: string): string {
  return `${key.slice(0, 8)}***${key.slice(-4)}`;
}

/** 401 for a key that is not a restricted key. */
export function invalidApiKey(key: string): FakeErrorBody {
  return {
    status: 401,
    error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskedKey(key)}` },
  };
}

/** 403 for a restricted key without `permission`. */
export function permissionDenied(key: string, permission: string): FakeErrorBody {
  return {
    status: 403,
    error: {
      type: 'invalid_request_error',
      message: `The provided key '${maskedKey(key)}' does not have the required permissions for this endpoint on account 'acct_1LeashFake'. Having the '${permission}' permission would allow this request to continue.`,
    },
  };
}

/** 429, Stripe's rate-limit answer (type `invalid_request_error`, code `rate_limit`). */
export function rateLimited(message?: string): FakeErrorBody {
  return invalidRequest(
    message ??
      'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    { code: 'rate_limit', status: 429 },
  );
}

/** 409 for a key whose first request is still running. */
export function idempotencyKeyInUse(key: string): FakeErrorBody {
  return invalidRequest(
    `There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
    { code: 'idempotency_key_in_use', status: 409 },
  );
}

/** 400 `idempotency_error` for a key reused with other parameters. */
export function idempotencyMismatch(key: string): FakeErrorBody {
  return {
    status: 400,
    error: {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    },
  };
}

/** An injected fault's answer for `status`. */
export function injectedError(status: number, message?: string): FakeErrorBody {
  if (status === 429) return rateLimited(message);
  if (status === 409)
    return invalidRequest(
      message ??
        'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
      { code: 'lock_timeout', status: 409 },
    );
  if (status === 403)
    return { status, error: { type: 'invalid_request_error', message: message ?? 'This request was not permitted.' } };
  return {
    status,
    error: { type: 'api_error', message: message ?? 'An unknown error occurred while processing your request.' },
  };
}

/** 402 for a declined card. */
export function cardDeclined(chargeId: string): FakeErrorBody {
  return {
    status: 402,
    error: {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
      doc_url: docUrl('card_declined'),
      ...({ charge: chargeId } as object),
    },
  };
}
