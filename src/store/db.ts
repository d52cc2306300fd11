/**
 * Opens the store: embedded PGlite in a data directory by default, PostgreSQL when `DATABASE_URL` is set.
 * One SQL dialect and one set of migrations for both; migrations run on open.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { LeashError } from '../domain/errors.ts';
import { migrations } from './migrations/index.ts';
import { orgScopedDialect } from './org-scope.ts';
import type { Database } from './schema.ts';

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
  /** PGlite data directory; defaults to `LEASH_DATA_DIR` or `./.leash`. `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** PostgreSQL schema to use (created if missing), so tests can share one database. */
  schema?: string | undefined;
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

// Money columns are bigint and sums are numeric: both come back as JS numbers, checked to be exact.
function toSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && !Number.isFinite(value)) throw new RangeError(`not a number: ${text}`);
  return value;
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
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
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

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it. The first
 * opener writes its pid to `leash.pid`; others are refused while that process lives (a dead one's file is
 * taken over).
 */
function lockDataDir(location: string): () => void {
  const lockFile = join(location, 'leash.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder))
        throw new LeashError(
          'unavailable',
          `the embedded store in ${location} is open in another Leash process (pid ${holder}${holder === process.pid ? ', this one' : ''}): wait for it to finish (a \`leash start\` still starting up serves other commands once it runs), stop it, or set DATABASE_URL to share PostgreSQL`,
        );
      rmSync(lockFile, { force: true });
    }
  }
  throw new LeashError('unavailable', `could not lock ${lockFile}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPglite(dataDirOption: string | undefined): Promise<Store> {
  const dataDir = dataDirOption ?? process.env.LEASH_DATA_DIR ?? './.leash';
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(location);
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? dataDir : location, {
      extensions: { pg_trgm },
      parsers: { [pgliteTypes.INT8]: toSafeNumber, [pgliteTypes.NUMERIC]: toSafeNumber },
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const db = new Kysely<Database>({
    dialect: orgScopedDialect(new PGliteDialect(client), { singleSession: true }),
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  return {
    db,
    kind: 'pglite',
    location,
    close: async () => {
      try {
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
  return { db, kind: 'postgres', location: url.toString(), close: () => db.destroy() };
}

/** True when every migration Leash ships is recorded as applied (one query; false when the table is missing). */
async function migrationsCurrent(db: Kysely<Database>, schema: string | undefined): Promise<boolean> {
  try {
    const table = schema ? sql.id(schema, 'kysely_migration') : sql.id('kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return Object.keys(migrations).every((name) => applied.has(name));
  } catch {
    return false;
  }
}

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<void> {
  // Most opens find nothing to do: one query instead of the migrator's introspection and locking.
  if (await migrationsCurrent(db, schema)) return;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Modules add migrations independently; a data directory made before a lower-numbered one landed still migrates.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${reason}`);
  }
}
