/**
 * Health for load balancers, orchestrators and people.
 * GET /health is liveness: cheap, no database. 200 `{ ok: true, status: "ok", version }` when the server can do
 * its work; 503 `{ ok: false, status: "degraded", reason, version }` when the policy it runs on has problems, so
 * that a server whose every change would be blocked never reads as healthy. `leash start` refuses to start on
 * such a policy; this answers for servers built some other way (an embedding, a test).
 * GET /ready is readiness: whether this process should be sent traffic. Each check is `ok`, `not applicable` or a
 * short failure word: the database answers, every migration is applied, the policy loaded, and the background
 * workers run (only for a process meant to run them). 200 `{ ready: true, checks }`, else 503
 * `{ ready: false, failing: [names], checks }`. Never an internal message: the log has the details.
 */
import { sql } from 'kysely';
import { workersRunning } from '../../jobs/queue.ts';
import { migrationsCurrent } from '../../store/migrate.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

/** Why the server is degraded, or undefined when it is not. */
export function degradedReason(deps: Pick<ServerDeps, 'gate'>): string | undefined {
  const { gate } = deps;
  if (gate.rules && gate.problems.length === 0) return undefined;
  const problems = gate.problems.length > 0 ? gate.problems : ['rules.yaml did not load'];
  return `the policy has problems, so every change is blocked (run \`leash policy check\`): ${problems.join('; ')}`;
}

/** How long the database may take to answer before /ready calls it unreachable. */
const DATABASE_TIMEOUT_MS = 3_000;

/** A check's result: `ok`, `not applicable`, or what is wrong in a word or two. */
type CheckResult = 'ok' | 'not applicable' | 'unreachable' | 'not checked' | 'pending' | 'problems' | 'stopped';

/** Each readiness check by name. */
export interface Readiness {
  database: CheckResult;
  migrations: CheckResult;
  policy: CheckResult;
  workers: CheckResult;
}

async function databaseAnswers(deps: Pick<ServerDeps, 'store'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS);
  });
  const query = sql`select 1`.execute(deps.store.db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the readiness checks. */
export async function checkReadiness(deps: Pick<ServerDeps, 'store' | 'gate' | 'runsWorkers'>): Promise<Readiness> {
  const database = (await databaseAnswers(deps)) ? 'ok' : 'unreachable';
  const migrations =
    database !== 'ok' ? 'not checked' : (await migrationsCurrent(deps.store.db, undefined)) ? 'ok' : 'pending';
  const policy = degradedReason(deps) === undefined ? 'ok' : 'problems';
  const workers = !deps.runsWorkers ? 'not applicable' : workersRunning() ? 'ok' : 'stopped';
  return { database, migrations, policy, workers };
}

/** The checks that keep the process from being ready ("not checked" follows from another failing). */
export function failingChecks(readiness: Readiness): string[] {
  return Object.entries(readiness)
    .filter(([, result]) => result !== 'ok' && result !== 'not applicable' && result !== 'not checked')
    .map(([name]) => name);
}

/** Registers GET /health and GET /ready. */
export function registerHealthRoute(app: TypedApp, deps: ServerDeps): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const reason = degradedReason(deps);
    if (reason === undefined) return { ok: true, status: 'ok', version: deps.version };
    return reply.status(503).send({ ok: false, status: 'degraded', reason, version: deps.version });
  });
  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    const checks = await checkReadiness(deps);
    const failing = failingChecks(checks);
    if (failing.length === 0) return { ready: true, checks, version: deps.version };
    request.log.warn({ failing, checks }, 'not ready');
    return reply.status(503).send({ ready: false, failing, checks, version: deps.version });
  });
}
