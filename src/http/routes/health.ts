/**
 * GET /health, for load balancers and people: 200 `{ ok: true, status: "ok", version }` when the server can do
 * its work; 503 `{ ok: false, status: "degraded", reason, version }` when the policy it runs on has problems, so
 * that a server whose every change would be blocked never reads as healthy. `leash start` refuses to start on
 * such a policy; this answers for servers built some other way (an embedding, a test).
 */
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

/** Why the server is degraded, or undefined when it is not. */
export function degradedReason(deps: Pick<ServerDeps, 'gate'>): string | undefined {
  const { gate } = deps;
  if (gate.rules && gate.problems.length === 0) return undefined;
  const problems = gate.problems.length > 0 ? gate.problems : ['rules.yaml did not load'];
  return `the policy has problems, so every change is blocked (run \`leash policy check\`): ${problems.join('; ')}`;
}

/** Registers GET /health. */
export function registerHealthRoute(app: TypedApp, deps: ServerDeps): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const reason = degradedReason(deps);
    if (reason === undefined) return { ok: true, status: 'ok', version: deps.version };
    return reply.status(503).send({ ok: false, status: 'degraded', reason, version: deps.version });
  });
}
