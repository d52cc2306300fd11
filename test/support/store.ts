/**
 * Test stores: an in-memory PGlite by default, or a fresh PostgreSQL schema when `DATABASE_URL` is set
 * (CI runs the whole suite both ways).
 */
import { randomBytes } from 'node:crypto';
import { bindAuditStore } from '../../src/audit/audit-setup.ts';
import { openStore, type Store } from '../../src/store/db.ts';

/**
 * Opens a migrated, empty store for one test file; close it in afterAll. On PostgreSQL the schema (and its Stripe
 * mirror beside it) stays until the run ends: global-setup.ts drops the run's schemas then.
 */
export async function openTestStore(): Promise<Store> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return openStore({ dataDir: 'memory://' });
  const schema = testSchemaName();
  const store = await openStore({ databaseUrl, schema });
  // A throwaway schema keeps its audit key and checkpoints in memory, like an in-memory PGlite.
  bindAuditStore(store.db, 'memory');
  return store;
}

/**
 * A schema name of this run (`t_<run>_<label><random>`), for anything a test keeps in PostgreSQL beside its store
 * (a job queue's tables). Never drop it in the test: global-setup.ts drops every schema of the run at the end.
 */
export function testSchemaName(label = ''): string {
  return `${process.env.LEASH_TEST_SCHEMA_PREFIX ?? 't_'}${label}${randomBytes(6).toString('hex')}`;
}

/** Which store the suite runs on, for test names. */
export const testStoreKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
