/**
 * The embedded store of a CLI command, opened on a worker thread (store/embedded-worker.ts): PGlite's boot, half a
 * second of CPU, runs on one core while the command loads its modules on the other. The command's Kysely sends
 * its SQL to the worker, the way a store reached through a running server sends it over the socket; everything
 * above the driver runs here, unchanged. Only the compiled CLI does this (a worker cannot run the TypeScript
 * sources): under tsx and in the test suite the store opens in-process.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { LeashError } from '../domain/errors.ts';
import type { WorkerMessage, WorkerRequest } from './embedded-worker.ts';
import { errorFromChannel } from './local-channel.ts';
import type { SqlRequest, SqlTransport } from './remote-store.ts';

const WORKER_FILE = new URL('./embedded-worker.js', import.meta.url);

/** True where the store worker can run: the compiled build, not the TypeScript sources. */
export function workerStoreAvailable(): boolean {
  return WORKER_FILE.pathname.endsWith('.js') && existsSync(WORKER_FILE);
}

class WorkerTransport implements SqlTransport {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'reply') return;
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (this.waiting.size === 0) worker.unref();
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(errorFromChannel(message.error));
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    };
    worker.on('error', (error) => fail(new LeashError('unavailable', `the embedded store failed: ${error.message}`)));
    worker.on('exit', () => fail(new LeashError('unavailable', 'the embedded store has closed')));
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  request<T = unknown>(request: SqlRequest | WorkerRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // An answer is owed: keep the process alive until it comes.
      this.worker.ref();
      this.worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // PGlite's close ends its runtime (and so may end the thread before it answers): either ends the wait. The
    // thread then ends by itself; it is not waited for, nor does it hold the process (unref).
    await Promise.race([this.request({ type: 'close' }).catch(() => undefined), exited]);
    this.worker.unref();
  }
}

/**
 * Starts the embedded store of `location` on a worker thread and resolves once it is open; fails as opening it
 * here would (the lock, the files). Light: call it first, load the rest while PGlite boots.
 */
export async function startStoreWorker(
  location: string,
): Promise<{ transport: SqlTransport; appliedMigrations: string[] }> {
  const worker = new Worker(WORKER_FILE, { workerData: { location } });
  const opened = await new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (opened.type !== 'ready') {
    await worker.terminate();
    throw opened.type === 'failed' ? errorFromChannel(opened.error) : new Error('the store worker did not start');
  }
  worker.unref();
  return { transport: new WorkerTransport(worker), appliedMigrations: opened.appliedMigrations };
}
