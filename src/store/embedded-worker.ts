/**
 * A CLI command's embedded store on a thread of its own: PGlite boots here (about half a second of CPU) while the
 * main thread loads the command's modules on the other core, and then runs the SQL the main thread's Kysely sends
 * (store/worker-store.ts). One caller, so statements simply run in the order they arrive; a transaction is the
 * caller's `begin` … `commit`. Imports PGlite and node built-ins only.
 */
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { LeashError } from '../domain/errors.ts';
import { errorForChannel } from './local-channel.ts';
import { SCOPE_SQL, scopeParameters } from './org-scope-sql.ts';
import { createPglite, lockDataDir } from './pglite-files.ts';

/** What the main thread asks of the worker. */
export type WorkerRequest =
  | { type: 'query'; scope: string; sql: string; parameters: unknown[] }
  | { type: 'begin'; scope: string; isolationLevel?: string | undefined }
  | { type: 'commit' }
  | { type: 'rollback' }
  | { type: 'close' };

/** A message to the main thread: the store is open (or could not be), or the answer to request `id`. */
export type WorkerMessage =
  | { type: 'ready'; appliedMigrations: string[] }
  | { type: 'failed'; error: ReturnType<typeof errorForChannel> }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ReturnType<typeof errorForChannel> };

const ISOLATION_LEVELS = new Set(['read uncommitted', 'read committed', 'repeatable read', 'serializable']);

async function serve(port: NonNullable<typeof parentPort>, location: string): Promise<void> {
  mkdirSync(location, { recursive: true });
  let unlock: () => void;
  let client: PGlite;
  try {
    unlock = lockDataDir(location);
  } catch (error) {
    port.postMessage({ type: 'failed', error: errorForChannel(error) } satisfies WorkerMessage);
    return;
  }
  try {
    client = await createPglite(location);
  } catch (error) {
    unlock();
    port.postMessage({ type: 'failed', error: errorForChannel(error) } satisfies WorkerMessage);
    return;
  }
  // The session's org scope, set only when a statement needs another one (as the scoped driver does).
  let scope = '';
  const inScope = async (wanted: string) => {
    if (wanted === scope) return;
    await client.query(SCOPE_SQL, scopeParameters(wanted));
    scope = wanted;
  };
  const handle = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.type) {
      case 'query': {
        await inScope(request.scope);
        const result = await client.query(request.sql, request.parameters);
        // The same shape as kysely-pglite-dialect's, which the in-process store uses.
        return result.affectedRows
          ? { numAffectedRows: BigInt(result.affectedRows), rows: result.rows }
          : { rows: result.rows };
      }
      case 'begin': {
        const level = request.isolationLevel;
        if (level !== undefined && !ISOLATION_LEVELS.has(level))
          throw new LeashError('bad_input', `unknown isolation level ${level}`);
        await inScope(request.scope);
        await client.query(level ? `start transaction isolation level ${level}` : 'begin');
        return null;
      }
      case 'commit':
      case 'rollback':
        await client.query(request.type);
        return null;
      case 'close':
        await client.close();
        unlock();
        return null;
      default:
        throw new LeashError('bad_input', 'unknown request to the store worker');
    }
  };
  let queue = Promise.resolve();
  port.on('message', (message: { id: number; request: WorkerRequest }) => {
    queue = queue.then(async () => {
      let reply: WorkerMessage;
      try {
        reply = { type: 'reply', id: message.id, ok: true, value: await handle(message.request) };
      } catch (error) {
        reply = { type: 'reply', id: message.id, ok: false, error: errorForChannel(error) };
      }
      port.postMessage(reply);
      if (message.request.type === 'close') port.close();
    });
  });
  // The first statements of a fresh PGlite are its slowest (catalog caches): run the caller's first question —
  // which migrations are applied — here, while the caller is still loading its modules.
  let appliedMigrations: string[] = [];
  try {
    const { rows } = await client.query<{ name: string }>('select name from kysely_migration');
    appliedMigrations = rows.map((row) => row.name);
  } catch {
    // A new data directory: the caller migrates it.
  }
  port.postMessage({ type: 'ready', appliedMigrations } satisfies WorkerMessage);
}

if (parentPort) await serve(parentPort, (workerData as { location: string }).location);
