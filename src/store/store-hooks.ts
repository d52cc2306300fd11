/**
 * What other layers may learn about an open store, and do before it closes, without the store knowing them (the
 * store imports only the domain): where its data lives, and hooks run by `close()` before the connection goes
 * (the audit log writes its last checkpoints there). Found from any query builder of the store, transactions
 * included: they share the store's adapter.
 */
import type { Kysely } from 'kysely';

/** Where a store's data lives: a data directory, memory, or somewhere only the environment describes. */
export type StorePlace = { dataDir: string } | 'memory' | 'environment';

type AnyKysely = Pick<Kysely<unknown>, 'getExecutor'>;

const places = new WeakMap<object, StorePlace>();
const closeHooks = new WeakMap<object, (() => Promise<void>)[]>();

const adapterOf = (db: AnyKysely): object => db.getExecutor().adapter;

/** Records where `db`'s data lives (openStore does, for each store it opens). */
export function recordStorePlace(db: AnyKysely, place: StorePlace): void {
  places.set(adapterOf(db), place);
}

/** Where the store of `db` keeps its data ('environment' when it did not say). */
export function storePlaceOf(db: AnyKysely): StorePlace {
  return places.get(adapterOf(db)) ?? 'environment';
}

/** Runs `hook` when the store of `db` closes, before its connection does. */
export function beforeStoreCloses(db: AnyKysely, hook: () => Promise<void>): void {
  const adapter = adapterOf(db);
  closeHooks.set(adapter, [...(closeHooks.get(adapter) ?? []), hook]);
}

/** Runs the close hooks of `db` (each once; a failing hook does not stop the others or the close). */
export async function runCloseHooks(db: AnyKysely): Promise<void> {
  const adapter = adapterOf(db);
  const hooks = closeHooks.get(adapter) ?? [];
  closeHooks.delete(adapter);
  for (const hook of hooks) await hook().catch(() => undefined);
}
