/** Migrations: every one Leash ships, applied in one go; an up-to-date store is recognised with one query. */
import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

/** The name of every migration Leash ships. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

/** True when every migration Leash ships is recorded as applied (one query; false when the table is missing). */
export async function migrationsCurrent(db: Kysely<Database>, schema: string | undefined): Promise<boolean> {
  try {
    const table = schema ? sql.id(schema, 'kysely_migration') : sql.id('kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return MIGRATION_NAMES.every((name) => applied.has(name));
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
