/**
 * One structured log line per request, written when the answer is sent: the request id (`reqId`, also the
 * `x-request-id` header and the error body's `requestId`), method, route, status, time taken, and, once the caller is known, the
 * org and member; pino adds the process (pid, host) and `leash start` its role. Replaces Fastify's two default
 * lines (incoming, completed), which cannot carry the org: it is only known after authentication.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

const callers = new WeakMap<FastifyRequest, { orgId: string; memberId: string }>();

/** Records who a request turned out to be (guard.ts calls this after authenticating), for its log line. */
export function noteCaller(request: FastifyRequest, caller: { orgId: string; memberId: string }): void {
  callers.set(request, caller);
}

/** Adds the per-request line (level info; LEASH_LOG_LEVEL=info shows it). */
export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const caller = callers.get(request);
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ...(caller ? { org: caller.orgId, member: caller.memberId } : {}),
      },
      'request',
    );
  });
}
