/**
 * Test stores: an in-memory PGlite by default, or a fresh PostgreSQL schema when `DATABASE_URL` is set
 * (CI runs the whole suite both ways).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.ts';

/** Opens a migrated, empty store for one test file; close it in afterAll. */
export async function openTestStore(): Promise<Store> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return openStore({ dataDir: 'memory://' });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl, schema });
  return {
    ...store,
    close: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      // The Stripe mirror's schema beside it (migration 0014).
      await sql`drop schema if exists ${sql.id(`${schema}_stripe`)} cascade`.execute(store.db);
      await store.close();
    },
  };
}

/** Which store the suite runs on, for test names. */
export const testStoreKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
