/**
 * Opens the store: embedded PGlite in a data directory by default, PostgreSQL when `DATABASE_URL` is set.
 * One SQL dialect and one set of migrations for both; migrations run on open.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { orgScopedDialect } from './org-scope.ts';
import { createPglite, lockDataDir, toSafeNumber } from './pglite-files.ts';
import type { Database } from './schema.ts';
import { recordStorePlace, runCloseHooks } from './store-hooks.ts';

/** Which engine a store runs on. */
export type StoreKind = 'pglite' | 'postgres';

/** An open store: the query builder plus what it runs on. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: StoreKind;
  /** Where the data lives, for people: a directory or a URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/** How to open a store; everything defaults from the environment. */
export interface StoreOptions {
  /** PostgreSQL URL; defaults to `DATABASE_URL`. When absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; defaults to `LEASH_DATA_DIR` or `./.leash`. `memory://` keeps it in memory. Naming one
   * opens PGlite even when `DATABASE_URL` is set. */
  dataDir?: string | undefined;
  /** PostgreSQL schema to use (created if missing), so tests can share one database. */
  schema?: string | undefined;
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

let pgTypesInstalled = false;
function installPgTypeParsers(): void {
  if (pgTypesInstalled) return;
  pg.types.setTypeParser(pg.types.builtins.INT8, toSafeNumber);
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, toSafeNumber);
  pgTypesInstalled = true;
}

/** Opens (and by default migrates) the store the options or environment point at. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  // A caller naming a data directory means the embedded store, whatever DATABASE_URL says.
  const databaseUrl = options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  const store = databaseUrl ? await openPostgres(databaseUrl, options.schema) : await openPglite(options.dataDir);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(store.db, options.schema);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

async function openPglite(dataDirOption: string | undefined): Promise<Store> {
  const dataDir = dataDirOption ?? process.env.LEASH_DATA_DIR ?? './.leash';
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(location);
  let client: PGlite;
  try {
    client = await createPglite(inMemory ? dataDir : location);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = new Kysely<Database>({
    dialect: orgScopedDialect(new PGliteDialect(client), { singleSession: true }),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  // What lives beside the data (the audit key and checkpoints) lives in memory for an in-memory store.
  recordStorePlace(db, inMemory ? 'memory' : { dataDir: location });
  return {
    db,
    kind: 'pglite',
    location,
    close: async () => {
      try {
        await runCloseHooks(db);
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

async function openPostgres(databaseUrl: string, schema: string | undefined): Promise<Store> {
  installPgTypeParsers();
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new RangeError(`invalid schema name: ${schema}`);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    // Waiting for a free connection is normal under load (a transaction may hold one while it waits on a lock);
    // only a wait this long means the database is unreachable or the pool is stuck.
    connectionTimeoutMillis: 30_000,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  const db = new Kysely<Database>({
    dialect: orgScopedDialect(new PostgresDialect({ pool })),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    else await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const url = new URL(databaseUrl);
  url.password = '';
  return {
    db,
    kind: 'postgres',
    location: url.toString(),
    close: async () => {
      try {
        await runCloseHooks(db);
      } finally {
        await db.destroy();
      }
    },
  };
}

export { migrateToLatest } from './migrate.ts';
