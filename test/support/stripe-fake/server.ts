/**
 * The HTTP side of the fake: one request through key check, rate limit, faults, spec validation, permission,
 * idempotency, the route's effect and the answer (expanded, in Stripe's headers), each recorded for assertions.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'qs';
import {
  FakeError,
  type FakeErrorBody,
  idempotencyKeyInUse,
  idempotencyMismatch,
  injectedError,
  invalidApiKey,
  permissionDenied,
  rateLimited,
  unrecognizedUrl,
} from './errors.ts';
import type { StripeObject } from './fixtures.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { customerRoutes } from './routes/customers.ts';
import { invoiceRoutes } from './routes/invoices.ts';
import { paymentRoutes } from './routes/payments.ts';
import type { Route } from './routes/route.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { matchOperation } from './spec-validator.ts';
import { type FakeState, render, SPEC_API_VERSION } from './state.ts';
import { errorAnswer, type FaultQueue, type IdempotencyKeys, type RateLimiter, type StoredAnswer } from './traffic.ts';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: StripeObject;
  body: StripeObject;
  idempotencyKey?: string;
  status: number;
  at: Date;
  requestId: string;
}

/** Every route the fake models, by `METHOD template`. */
export const ROUTES: ReadonlyMap<string, Route> = new Map(
  [
    ...customerRoutes,
    ...catalogRoutes,
    ...subscriptionRoutes,
    ...invoiceRoutes,
    ...paymentRoutes,
    ...webhookEndpointRoutes,
  ].map((entry) => [`${entry.method} ${entry.template}`, entry]),
);

/** What the request pipeline works with. */
export interface Pipeline {
  state: FakeState;
  faults: FaultQueue;
  keys: IdempotencyKeys;
  limiter: RateLimiter | null;
  missingPermissions: Set<string>;
  requests: RecordedRequest[];
  invalidRequests: RecordedRequest[];
  /** Pending delays, cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

const QS_OPTIONS = { depth: 10, arrayLimit: 1000 };

function sleep(pipeline: Pipeline, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pipeline.timers.delete(timer);
      resolve();
    }, ms);
    pipeline.timers.add(timer);
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the route and renders its answer; a FakeError becomes its error answer, anything else a 500. */
function execute(
  pipeline: Pipeline,
  route: Route,
  params: StripeObject,
  pathParams: Record<string, string>,
): StoredAnswer {
  try {
    const result = route.handle({ state: pipeline.state, params, path: pathParams });
    const expand = Array.isArray(params.expand) ? (params.expand as string[]) : [];
    return { status: 200, body: JSON.stringify(render(pipeline.state, result, expand)) };
  } catch (error) {
    if (error instanceof FakeError) return errorAnswer(error.body);
    console.error('stripe fake: handler failed', error);
    return errorAnswer(injectedError(500, `Stripe fake: ${(error as Error).message}`));
  }
}

/** Handles one HTTP request. */
export async function handleRequest(
  pipeline: Pipeline,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const raw = await readBody(request);
  const method = (request.method ?? 'GET').toUpperCase();
  const [path = '/', search = ''] = (request.url ?? '/').split('?', 2);
  const query = parse(search, QS_OPTIONS) as StripeObject;
  const body = method === 'POST' ? (parse(raw, QS_OPTIONS) as StripeObject) : {};
  const requestId = `req_${randomBytes(7).toString('hex')}`;
  const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) || undefined;
  const apiVersion = (request.headers['stripe-version'] as string | undefined) ?? SPEC_API_VERSION;
  const record: RecordedRequest = {
    method,
    path,
    query,
    body,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    status: 0,
    at: pipeline.state.now(),
    requestId,
  };
  const answer = (result: StoredAnswer, replayed = false) => {
    record.status = result.status;
    pipeline.requests.push(record);
    if (response.destroyed || response.writableEnded) return;
    response.writeHead(result.status, {
      'content-type': 'application/json',
      'request-id': requestId,
      'stripe-version': apiVersion,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
    response.end(result.body);
  };
  const fail = (error: FakeErrorBody, invalid = false) => {
    if (invalid) pipeline.invalidRequests.push(record);
    answer(errorAnswer(error));
  };

  const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  if (!/^rk_(test|live)_/.test(key)) return fail(invalidApiKey(key));
  if (pipeline.limiter && !pipeline.limiter.allow()) return fail(rateLimited());
  const fault = pipeline.faults.take(method, path);
  if (fault && 'status' in fault && !fault.afterEffect) return fail(injectedError(fault.status, fault.message));

  const operation = matchOperation(method, path);
  if ('status' in operation) return fail(operation, true);
  const route = ROUTES.get(`${method} ${operation.template}`);
  if (!route) return fail(unrecognizedUrl(method, path), true);
  if (pipeline.missingPermissions.has(route.permission)) return fail(permissionDenied(key, route.permission));
  const params = method === 'POST' ? body : structuredClone(query);
  const invalid = operation.validate(params);
  if (invalid) return fail(invalid, true);

  const keyed = method === 'POST' && idempotencyKey !== undefined;
  const decision = keyed
    ? pipeline.keys.begin(idempotencyKey, `${method} ${path} ${raw}`, pipeline.state.now().getTime())
    : ({ kind: 'run' } as const);
  if (decision.kind === 'mismatch') return fail(idempotencyMismatch(idempotencyKey ?? ''));
  if (decision.kind === 'in_use') return fail(idempotencyKeyInUse(idempotencyKey ?? ''));
  const delay = fault && 'delayMs' in fault ? fault : undefined;
  if (delay && !delay.afterEffect) await sleep(pipeline, delay.delayMs);

  let result: StoredAnswer;
  if (decision.kind === 'replay') result = decision.answer;
  else {
    pipeline.state.origin = { id: requestId, idempotencyKey: idempotencyKey ?? null, apiVersion };
    result = execute(pipeline, route, params, operation.pathParams);
    pipeline.state.origin = { id: null, idempotencyKey: null, apiVersion: SPEC_API_VERSION };
    if (keyed) pipeline.keys.finish(idempotencyKey, result);
  }
  // An afterEffect fault hits a replay too: the answer is lost again, whatever the key already holds.
  if (delay?.afterEffect) await sleep(pipeline, delay.delayMs);
  if (fault && 'status' in fault) return fail(injectedError(fault.status, fault.message));
  answer(result, decision.kind === 'replay');
}
