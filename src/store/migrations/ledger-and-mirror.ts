/**
 * Pieces the derived-data migrations share: the same statements in the ledger's schema and in the Stripe
 * mirror's (`<schema>_stripe`, made by 0014), and statement triggers with transition tables.
 */
import { type Kysely, sql } from 'kysely';

/**
 * A DO block running `statements` (format strings with `%I` for the schema) in the current schema and in its
 * mirror when there is one. Each statement is one `execute format(…)`: quote single quotes as in SQL.
 */
export function inLedgerAndMirror(...statements: string[]): string {
  const executed = statements.map((statement) => `execute format('${statement}', target);`).join('\n        ');
  return `
  do $$ declare
    target text;
  begin
    foreach target in array array[current_schema(), current_schema() || '_stripe'] loop
      if exists (select from pg_namespace where nspname = target) then
        ${executed}
      end if;
    end loop;
  end $$
`;
}

/**
 * `create trigger` statements running `fn` after each of `ops` on `table`, once per statement, with the rows it
 * touched as `new_rows` / `old_rows`. `name` prefixes the trigger names (`<name>_<op>`).
 */
export function statementTriggers(name: string, table: string, ops: readonly string[], fn: string): string[] {
  return ops.map((op) => {
    const transition =
      op === 'insert'
        ? 'new table as new_rows'
        : op === 'delete'
          ? 'old table as old_rows'
          : 'old table as old_rows new table as new_rows';
    return `create trigger ${name}_${op} after ${op} on ${table} referencing ${transition}
           for each statement execute function ${fn}()`;
  });
}

/** The statements that let the application role use `table` (schema-qualified) for the current org only. */
export function orgScoped(table: string): string[] {
  return [
    `grant select, insert, update, delete on ${table} to leash_app`,
    `alter table ${table} enable row level security`,
    `create policy org_scope on ${table} using (org_id = current_setting('leash.org_id', true)) with check (org_id = current_setting('leash.org_id', true))`,
  ];
}

/**
 * Runs a derived-data migration: `functions(base)` once (its functions live in the current schema, `base`), then
 * `tables(schema, base, mirror)` in the current schema and, when it exists, in the Stripe mirror's.
 */
export async function migrateLedgerAndMirror(
  db: Kysely<unknown>,
  functions: (base: string) => string[],
  tables: (schema: string, base: string, mirror: boolean) => string[],
): Promise<void> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const base = rows[0]?.schema ?? 'public';
  const mirror = `${base}_stripe`;
  const { rows: found } = await sql<{ present: boolean }>`
    select exists (select 1 from information_schema.schemata where schema_name = ${mirror}) as present`.execute(db);
  const statements = [...functions(base), ...tables(base, base, false)];
  if (found[0]?.present) statements.push(...tables(mirror, base, true));
  for (const statement of statements) await sql.raw(statement).execute(db);
}
