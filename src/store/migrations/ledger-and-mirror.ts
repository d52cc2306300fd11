/**
 * Pieces the derived-data migrations share: the same statements in the ledger's schema and in the Stripe
 * mirror's (`<schema>_stripe`, made by 0014), and statement triggers with transition tables.
 */

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
