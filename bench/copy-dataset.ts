/**
 * The PGlite bench business as a copy of the PostgreSQL one. Both come from the same generator with the same
 * seed, size and end date (`BENCH_DEMO`), so the rows are the same; building 100k customers through the generator
 * on PGlite takes well over an hour, copying them takes minutes. Each billing table is read from PostgreSQL with
 * `psql \copy … to stdout` (text format: one row a line) and written into PGlite with `COPY … FROM '/dev/blob'`,
 * in chunks. The PGlite store is migrated first; triggers are off while copying (`session_replication_role =
 * replica`), so the MRR facts are copied as kept rather than recomputed; then `vacuum analyze`. Not copied: the audit log (the PGlite
 * store signs its own chain with its own key), sessions, rate-limit hits and the migrator's own tables.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import type { Store } from '../src/store/db.ts';
import { createPglite } from '../src/store/pglite-files.ts';

const SKIPPED = new Set([
  'audit_events',
  'auth_sessions',
  'magic_links',
  'refresh_tokens',
  'rate_limit_hits',
  'kysely_migration',
  'kysely_migration_lock',
]);

/** About this many bytes of rows per COPY into PGlite. */
const CHUNK_BYTES = 32 * 1024 * 1024;

/** The tables of `schema` and their stored (not generated) columns, in the source's column order. */
async function tablesOf(source: Store, schema: string): Promise<Map<string, string[]>> {
  const result = await sql<{ tableName: string; columnName: string }>`
    select c.table_name, c.column_name
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = ${schema} and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
     order by c.table_name, c.ordinal_position`.execute(source.db);
  const tables = new Map<string, string[]>();
  for (const row of result.rows) {
    if (SKIPPED.has(row.tableName)) continue;
    tables.set(row.tableName, [...(tables.get(row.tableName) ?? []), row.columnName]);
  }
  return tables;
}

/** Streams `select columns from schema.table` out of PostgreSQL in COPY text format, a line per row. */
function copyOut(databaseUrl: string, schema: string, table: string, columns: string[]) {
  const list = columns.map((column) => `"${column}"`).join(', ');
  const child = spawn('psql', [databaseUrl, '-X', '-q', '-c', `\\copy "${schema}"."${table}" (${list}) to stdout`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql \\copy ${table} exited ${code}`))));
  });
  return { lines: createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }), done };
}

/**
 * Copies the PostgreSQL bench business (schema `schema` of `databaseUrl`, already built) into the PGlite data
 * directory `dataDir`, which `migrate` has just created and migrated (empty). Answers the rows copied per table.
 */
export async function copyDatasetToPglite(
  source: Store,
  databaseUrl: string,
  schema: string,
  dataDir: string,
  onProgress?: (progress: { phase: string; done: number; total: number }) => void,
): Promise<Record<string, number>> {
  const tables = await tablesOf(source, schema);
  const client = await createPglite(dataDir);
  const copied: Record<string, number> = {};
  try {
    await client.exec(`set session_replication_role = replica`);
    let index = 0;
    for (const [table, columns] of tables) {
      onProgress?.({ phase: `copying ${table}`, done: index, total: tables.size });
      const list = columns.map((column) => `"${column}"`).join(', ');
      const into = `copy "${table}" (${list}) from '/dev/blob'`;
      const { lines, done } = copyOut(databaseUrl, schema, table, columns);
      let chunk: string[] = [];
      let bytes = 0;
      let rows = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        await client.query(into, [], { blob: new Blob([`${chunk.join('\n')}\n`]) });
        rows += chunk.length;
        chunk = [];
        bytes = 0;
      };
      for await (const line of lines) {
        chunk.push(line);
        bytes += line.length + 1;
        if (bytes >= CHUNK_BYTES) await flush();
      }
      await flush();
      await done;
      copied[table] = rows;
      index += 1;
    }
    onProgress?.({ phase: 'analysing', done: tables.size, total: tables.size });
    await client.exec('set session_replication_role = origin');
    // PGlite runs no autovacuum: without this, index-only scans would visit every heap page.
    await client.exec('vacuum analyze');
  } finally {
    await client.close();
  }
  return copied;
}
