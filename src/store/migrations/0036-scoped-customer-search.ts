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
 * so an unqualified call finds the right one. The conditions are fixed text; the search text is a parameter.
 * `leash_customer_candidates` (chat's customer mentions) and `leash_customers_named` (the outbound scan's names)
 * are built the same way. The
 * search path is pinned (pg_catalog first, pg_temp last: ADR 0023), the table named with its schema; `public` is
 * there for pg_trgm's operators.
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror } from './ledger-and-mirror.ts';

export const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

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

/**
 * A SECURITY DEFINER function `schema.name(p_org text, …)` returning customer ids: `body` runs after the scope
 * check (inside an org's scope, only that org), with the search path pinned (ADR 0023).
 */
export function idFunction(
  schema: string,
  name: string,
  parameters: string,
  body: string,
  returns = 'table (id text)',
): string {
  return `
    create or replace function ${quoted(schema)}.${name}(p_org text, ${parameters})
      returns ${returns} language plpgsql stable security definer
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
      ${body}
    end $body$`;
}

/** SQL text as a literal inside the function bodies. */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
export const table = (schema: string) => `${quoted(schema)}.customers`;

/** A CASE over the modes of `map` (mode → SQL text), as literals. */
export const casesOf = (map: Record<string, string>) =>
  Object.entries(map)
    .map(([mode, text]) => `when '${mode}' then ${literal(text)}`)
    .join('\n        ');

/** Sets `condition` to the mode's condition, or refuses a mode it does not know. */
export const CONDITION_OF_MODE = `condition := case p_mode
        ${casesOf(CONDITIONS)}
      end;
      if condition is null then
        raise exception 'unknown customer match mode %', p_mode using errcode = 'invalid_parameter_value';
      end if;`;

/** The start of every mode's query: the org's live customers, and the mode's condition to follow. */
export const matchesOf = (schema: string) =>
  literal(`select c.id from ${table(schema)} c where c.org_id = $1 and c.deleted_at is null and `);

function matchFunction(schema: string): string {
  return idFunction(
    schema,
    'leash_customer_matches',
    'p_mode text, p_text text, p_limit integer default null',
    `${CONDITION_OF_MODE}
      -- Planned for the text at hand (a pattern's selectivity decides between the trigram index and the org's).
      return query execute ${matchesOf(schema)} || condition || ' limit $3'
        using p_org, p_text, p_limit;`,
  );
}

/** How a page of each mode's matches is ordered, with `$3` the lower-cased search text: best match first. */
const NAME_SCORE = 'greatest(similarity(lower(c.name), $3), word_similarity($3, lower(c.name))) desc, c.name, c.id';
export const ORDERINGS: Record<string, string> = {
  name: 'c.created_at desc, c.id',
  name_like: NAME_SCORE,
  name_part: NAME_SCORE,
  name_whole: NAME_SCORE,
  email: 'c.created_at desc, c.id',
  email_like: 'similarity(lower(c.email), $3) desc, c.name, c.id',
  domain: 'c.name, c.id',
};

/**
 * One page of a search's matches, best first (the order the connector used on the rows): so a search for a
 * common word reads the page's customers, not every customer it matches, back through the policy.
 */
function pageFunction(schema: string): string {
  return idFunction(
    schema,
    'leash_customer_page',
    'p_mode text, p_text text, p_score_text text, p_limit integer, p_offset integer',
    `${CONDITION_OF_MODE}
      return query execute ${matchesOf(schema)}
          || condition || ' order by ' || case p_mode ${casesOf(ORDERINGS)} end || ' limit $4 offset $5'
        using p_org, p_text, p_score_text, p_limit, p_offset;`,
  );
}

/**
 * The customers whose lower-cased name is one of `p_names` (the outbound scan's look-up of names written in a reply,
 * operations/outbound-scan.ts), up to `p_limit`.
 */
function namedFunction(schema: string): string {
  return idFunction(
    schema,
    'leash_customers_named',
    'p_names text[], p_limit integer',
    `return query execute
        ${literal(`select c.id from ${table(schema)} c
          where c.org_id = $1 and c.deleted_at is null and lower(c.name) = any($2::text[]) limit $3`)}
        using p_org, p_names, p_limit;`,
  );
}

/** A name without case, spaces or punctuation ("Widget-Inc" = "widget inc" = "widgetinc"). */
export const SQUEEZED = (column: string) => `regexp_replace(lower(${column}), '[^a-z0-9]+', '', 'g')`;

/**
 * The customers a chat request may name (the parser's gazetteer, operations/resolve-mentions.ts): for each phrase,
 * names like it as a whole (`%`), names that start with it, and names equal to it once squeezed; and the customers
 * of each email domain. Up to `p_limit` ids, by name. One indexed look-up per phrase (a lateral join), where the
 * single OR over every phrase read every customer even outside the scope (0.15 s at 2,000 customers).
 */
function candidatesFunction(schema: string): string {
  const customers = table(schema);
  return idFunction(
    schema,
    'leash_customer_candidates',
    'p_phrases text[], p_prefixes text[], p_squeezed text[], p_domains text[], p_limit integer',
    `return query execute
        ${literal(`select c.id from ${customers} c
         where c.org_id = $1 and c.deleted_at is null and c.id in (
           select m.id from unnest($2::text[], $3::text[], $4::text[]) as p(phrase, prefix, squeezed)
           cross join lateral (
             select n.id from ${customers} n
             where n.org_id = $1 and n.deleted_at is null
               and (lower(n.name) % p.phrase or lower(n.name) like p.prefix or ${SQUEEZED('n.name')} = p.squeezed)
           ) m
           union
           select d.id from ${customers} d
           where d.org_id = $1 and d.deleted_at is null and split_part(lower(d.email), '@', 2) = any($5::text[])
         )
         order by c.name, c.id
         limit $6`)}
        using p_org, p_phrases, p_prefixes, p_squeezed, p_domains, p_limit;`,
  );
}

/** The match functions and the squeezed-name index, in the ledger's schema and the mirror's. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await migrateLedgerAndMirror(
    db,
    () => [],
    (schema) => [
      `create index if not exists customers_org_name_squeezed on ${quoted(schema)}.customers (org_id, ${SQUEEZED('name')})`,
      `analyze ${quoted(schema)}.customers`,
      matchFunction(schema),
      candidatesFunction(schema),
      namedFunction(schema),
      pageFunction(schema),
    ],
  );
}
