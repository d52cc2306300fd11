/**
 * A search's page and its count in one pass (issue 21). `leash_customer_page` (migration 0036) ordered a search's
 * matches and returned one page of ids; the search then counted the same matches again through
 * `leash_customer_matches`, a second index scan of every match (thousands for a common first word). The page
 * function now also answers how many matches there are in all (`count(*) over ()`, computed over the matches it
 * already reads to order them), on every row of the page. An empty page (an offset past the end) answers
 * nothing, and the caller counts as before.
 */
import type { Kysely } from 'kysely';
import { CONDITION_OF_MODE, casesOf, idFunction, matchesOf, ORDERINGS, quoted } from './0036-scoped-customer-search.ts';
import { migrateLedgerAndMirror } from './ledger-and-mirror.ts';

/** One page of a search's matches, best first, each with the number of matches in all. */
function pageFunction(schema: string): string[] {
  return [
    `drop function if exists ${quoted(schema)}.leash_customer_page(text, text, text, text, integer, integer)`,
    idFunction(
      schema,
      'leash_customer_page',
      'p_mode text, p_text text, p_score_text text, p_limit integer, p_offset integer',
      `${CONDITION_OF_MODE}
      return query execute ${matchesOf(schema).replace('select c.id ', 'select c.id, count(*) over () ')}
          || condition || ' order by ' || case p_mode ${casesOf(ORDERINGS)} end || ' limit $4 offset $5'
        using p_org, p_text, p_score_text, p_limit, p_offset;`,
      'table (id text, total bigint)',
    ),
  ];
}

/** Replaces the page function in the ledger's schema and the mirror's. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await migrateLedgerAndMirror(db, () => [], pageFunction);
}
