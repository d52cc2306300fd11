/**
 * The store for a CLI command or `leash mcp`: through the local channel when a running `leash start` holds the
 * embedded data directory, else opened here (PGlite in the data directory, or PostgreSQL by DATABASE_URL, which
 * processes share without a channel).
 */
import type { Store, StoreOptions } from './db.ts';
import { embeddedDataDir } from './local-channel.ts';
import { openStoreThroughServer } from './remote-store.ts';

/** Opens the store the environment points at, through a running server when one holds it. */
export async function openCliStore(options: StoreOptions = {}): Promise<Store> {
  const dataDir = embeddedDataDir({
    ...process.env,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.dataDir ? { LEASH_DATA_DIR: options.dataDir } : {}),
  });
  const throughServer = dataDir ? await openStoreThroughServer(dataDir) : undefined;
  if (throughServer) return throughServer;
  const { openStore } = await import('./db.ts');
  return openStore(options);
}
