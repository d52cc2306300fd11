/**
 * One error body everywhere: `{ "error": { "code", "message", "requestId" } }` (plus `field` for bad input).
 * Bad input is a 400 naming the field, never a 500; Leash errors map by their code; a value the store refuses
 * (PostgreSQL data exceptions) is bad input too; anything unexpected is logged and answered as `internal` with the
 * request id, never with its message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { ERROR_CODES, type ErrorCode, INTERNAL_MESSAGE, LeashError } from '../domain/errors.ts';
import { storeInputError } from '../store/store-input-error.ts';

export { INTERNAL_MESSAGE };

/** The error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; field?: string };
}

function send(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, message: string, field?: string) {
  const body: ErrorBody = { error: { code, message, requestId: request.id, ...(field ? { field } : {}) } };
  return reply.status(ERROR_CODES[code].http).type('application/json').send(body);
}

/** Fastify's own 4xx errors, by status. */
const BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'bad_input',
  415: 'bad_input',
  429: 'rate_limited',
};

/** The server's error handler. */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const path = issue?.instancePath?.replace(/^\//, '').replaceAll('/', '.');
    const zodPath = (issue?.params as { issue?: { path?: PropertyKey[] } } | undefined)?.issue?.path;
    const field = path || zodPath?.map(String).join('.') || error.validationContext || 'input';
    return send(reply, request, 'bad_input', `${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'input';
    return send(reply, request, 'bad_input', `${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  if (error instanceof LeashError) {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    if (error.code === 'internal') {
      // A broken invariant's message is for the log, not for the caller.
      request.log.error({ err: error }, 'internal error');
      return send(reply, request, 'internal', INTERNAL_MESSAGE);
    }
    return send(reply, request, error.code, error.message, field);
  }
  const stored = storeInputError(error);
  if (stored) {
    request.log.warn({ err: error }, 'the store refused a value of the request');
    return send(reply, request, 'bad_input', stored.message, 'input');
  }
  const status = error.statusCode ?? 500;
  const code = (error as { code?: string }).code;
  if (status === 429 || code === 'rate_limited') return send(reply, request, 'rate_limited', error.message);
  const mapped = BY_STATUS[status];
  if (mapped && status < 500) return send(reply, request, mapped, error.message);
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, request, 'internal', INTERNAL_MESSAGE);
}

/** Unknown routes. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, request, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
}

/** The error body for a failure after a response has started (a stream): Leash errors as they are, others hidden. */
export function streamErrorBody(error: unknown, request: FastifyRequest): ErrorBody {
  const stored = storeInputError(error);
  if (stored) return { error: { code: 'bad_input', message: stored.message, requestId: request.id, field: 'input' } };
  if (error instanceof LeashError && error.code !== 'internal') {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    return { error: { code: error.code, message: error.message, requestId: request.id, ...(field ? { field } : {}) } };
  }
  request.log.error({ err: error }, 'stream failed');
  return {
    error: {
      code: 'internal',
      message: INTERNAL_MESSAGE,
      requestId: request.id,
    },
  };
}
