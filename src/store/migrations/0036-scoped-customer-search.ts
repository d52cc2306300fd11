/**
 * Customer search inside the org scope (issue 21). The server runs every member's request as `leash_app` under
 * row-level security, and PostgreSQL lets a condition use an index under a policy only when its functions and
 * operators are leakproof: `lower()`, `LIKE` and pg_trgm's `%` / `<%` are not, so every search read the whole
 * customers table (0.1–1.4 s at 100k customers) while the same search outside the scope took milliseconds.
 *
 * `leash_customer_matches(org, mode, text, limit)` finds the ids of an org's live customers by one indexed
 * condition, as the tables' owner (SECURITY DEFINER), so the indexes of 0001 and 0029 answer. It keeps tenant
 * isolation itself: inside an org's scope it answers only for that org (another org's id is refused, as the audit
 * append functions refuse it), and outside a scope the caller is the owner, who reads every row anyway. The
 * customers are then read by id under the policy. One function per schema (the ledger's and the Stripe
 * mirror's), each reading its own schema's customers; the mirror's reads put the mirror first on the search path,
 * so an unqualified call finds the right one. The conditions are fixed text; the search text is a parameter. The
 * search path is pinned (pg_catalog first, pg_temp last: ADR 0023), the table named with its schema; `public` is
 * there for pg_trgm's operators.
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror } from './ledger-and-mirror.ts';

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The match modes and their conditions on `c` (a customer row), with `$2` the lower-cased text or pattern. */
const CONDITIONS: Record<string, string> = {
  name: 'lower(c.name) = $2',
  name_like: 'lower(c.name) like $2',
  name_part: '$2 <% lower(c.name)',
  name_whole: 'lower(c.name) % $2',
  email: 'lower(c.email) = $2',
  email_like: 'lower(c.email) like $2',
  domain: "split_part(lower(c.email), '@', 2) = $2",
};

function matchFunction(schema: string): string {
  const cases = Object.entries(CONDITIONS)
    .map(([mode, condition]) => `when '${mode}' then '${condition.replaceAll("'", "''")}'`)
    .join('\n        ');
  return `
    create or replace function ${quoted(schema)}.leash_customer_matches(p_org text, p_mode text, p_text text,
      p_limit integer default null)
      returns table (id text) language plpgsql stable security definer
      set search_path = pg_catalog, public, pg_temp
      rows 50
    as $body$
    declare
      scope text := nullif(current_setting('leash.org_id', true), '');
      condition text;
    begin
      if scope is not null and scope <> p_org then
        raise exception 'customer search for % outside the org scope', p_org using errcode = 'insufficient_privilege';
      end if;
      condition := case p_mode
        ${cases}
      end;
      if condition is null then
        raise exception 'unknown customer match mode %', p_mode using errcode = 'invalid_parameter_value';
      end if;
      -- Planned for the text at hand (a pattern's selectivity decides between the trigram index and the org's).
      return query execute
        'select c.id from ${quoted(schema).replaceAll("'", "''")}.customers c where c.org_id = $1 and c.deleted_at is null and '
          || condition || ' limit $3'
        using p_org, p_text, p_limit;
    end $body$`;
}

/** The match function in the ledger's schema and the mirror's. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await migrateLedgerAndMirror(
    db,
    () => [],
    (schema) => [matchFunction(schema)],
  );
}
