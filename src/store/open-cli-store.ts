/**
 * The store for a CLI command or `leash mcp`: through the local channel when a running `leash start` holds the
 * embedded data directory; else the embedded store on a worker thread of this process (the compiled CLI: PGlite
 * boots on one core while the command loads on the other), or in-process (under tsx), or PostgreSQL by
 * DATABASE_URL, which processes share without a channel. Light until it knows which: the query builder loads
 * while the store opens.
 */
import { LeashError } from '../domain/errors.ts';
import type { Store, StoreOptions } from './db.ts';
import { embeddedDataDir, LocalChannel } from './local-channel.ts';
import { startStoreWorker, workerStoreAvailable } from './worker-store.ts';

/** Opens the store the environment points at, through a running server when one holds it. */
export async function openCliStore(options: StoreOptions = {}): Promise<Store> {
  const dataDir = embeddedDataDir({
    ...process.env,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.dataDir ? { LEASH_DATA_DIR: options.dataDir } : {}),
  });
  const channel = dataDir ? await LocalChannel.connect(dataDir) : undefined;
  if (dataDir && channel) {
    const { channelStore, reconnectToServer } = await import('./remote-store.ts');
    return channelStore(channel, dataDir, () => reconnectToServer(dataDir));
  }
  if (dataDir && workerStoreAvailable()) {
    const booting = startStoreWorker(dataDir);
    const [{ channelStore }, { migrateToLatest, MIGRATION_NAMES }] = await Promise.all([
      import('./remote-store.ts'),
      import('./migrate.ts'),
    ]).catch(async (error: unknown) => {
      await booting.then(
        ({ transport }) => transport.close(),
        () => undefined,
      );
      throw error;
    });
    const { transport, appliedMigrations } = await booting;
    const store = channelStore(transport, dataDir, async () => {
      throw new LeashError('unavailable', 'the embedded store has closed');
    });
    const current = MIGRATION_NAMES.every((name) => appliedMigrations.includes(name));
    if ((options.migrate ?? true) && !current) {
      try {
        await migrateToLatest(store.db);
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  }
  const { openStore } = await import('./db.ts');
  return openStore(options);
}
