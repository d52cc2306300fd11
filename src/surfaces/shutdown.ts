/**
 * Graceful shutdown of `leash start` on SIGTERM (what a container runtime or a load balancer's drain sends) and
 * SIGINT (Ctrl-C). In order: the HTTP server stops taking requests and finishes the ones in flight (Fastify's
 * close); background work is handed back (the job queue stops: a job it cannot finish in time is left for another
 * process's worker); then connections close (local channel, Redis, the store). Each part registers the step it
 * owns with `onShutdown`, in the phase it belongs to, so the job queue (src/jobs) and the server do not need to
 * know of each other. A step that fails is logged and the rest still run; a shutdown that takes longer than
 * `LEASH_SHUTDOWN_SECONDS` (default 30) ends the process with exit 1 so an orchestrator is never left waiting.
 */

/** When a step runs: requests first, then background work, then the connections both used. */
export type ShutdownPhase = 'requests' | 'work' | 'connections';

const PHASES: readonly ShutdownPhase[] = ['requests', 'work', 'connections'];

/** A named step of shutdown. */
interface ShutdownStep {
  name: string;
  phase: ShutdownPhase;
  run: () => Promise<unknown>;
}

/** Where shutdown reports: a pino logger fits. */
export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const steps: ShutdownStep[] = [];

/** Registers a step to run on shutdown, after the steps of earlier phases and those registered before it. */
export function onShutdown(name: string, phase: ShutdownPhase, run: () => Promise<unknown>): void {
  steps.push({ name, phase, run });
}

/** The registered steps in the order they run (for tests and logs). */
export function shutdownSteps(): string[] {
  return ordered().map((step) => `${step.phase}: ${step.name}`);
}

function ordered(): ShutdownStep[] {
  return PHASES.flatMap((phase) => steps.filter((step) => step.phase === phase));
}

/** Seconds a shutdown may take before the process ends anyway: LEASH_SHUTDOWN_SECONDS, default 30. */
export function shutdownGraceSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const parsed = Number(env.LEASH_SHUTDOWN_SECONDS);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : 30;
}

/** Resolves with the first SIGTERM or SIGINT the process receives. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Runs every registered step in order and forgets them; resolves when all have run (failures logged, never
 * thrown). Past the grace period the process exits 1, whatever is still running.
 */
export async function shutDown(log: ShutdownLog, reason: string, graceSeconds = shutdownGraceSeconds()): Promise<void> {
  const started = Date.now();
  log.info({ reason, steps: shutdownSteps() }, 'shutting down');
  const deadline = setTimeout(() => {
    log.error({ graceSeconds }, 'shutdown took too long; exiting');
    process.exit(1);
  }, graceSeconds * 1000);
  deadline.unref();
  const pending = ordered();
  steps.length = 0;
  for (const step of pending) {
    try {
      await step.run();
    } catch (error) {
      log.error({ err: error, step: step.name }, 'shutdown step failed');
    }
  }
  clearTimeout(deadline);
  log.info({ ms: Date.now() - started }, 'shut down');
}
