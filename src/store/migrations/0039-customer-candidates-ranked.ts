/**
 * Chat's customer mentions at scale (issue 21). `leash_customer_candidates` (migration 0036) gathered, for every
 * phrase of a request, every name like it, starting with it or equal to it once squeezed, and returned the first
 * `p_limit` of them all by name. At 100k customers a phrase holding a common name word ("rapid", "systems")
 * matches thousands of names: each was read, rechecked and sorted (about half a second a request), and the
 * customer the request named could fall past the first 300 names of the alphabet and be left out.
 *
 * Each phrase now keeps its best matches only, at most `p_limit` / the number of phrases (at least 5): a name
 * equal to the phrase once squeezed first, then names that start with it (shortest first: "Acme Inc" before "Acme
 * Rocket Holdings"), then names like it, closest first. The whole answer is at most `p_limit` ids, by name.
 */
import type { Kysely } from 'kysely';
import { idFunction, literal, SQUEEZED, table } from './0036-scoped-customer-search.ts';
import { migrateLedgerAndMirror } from './ledger-and-mirror.ts';

/** The candidates function, ranked per phrase. */
function candidatesFunction(schema: string): string[] {
  const customers = table(schema);
  return [
    idFunction(
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
             order by ${SQUEEZED('n.name')} = p.squeezed desc, lower(n.name) like p.prefix desc,
                      similarity(lower(n.name), p.phrase) desc, length(n.name), n.id
             limit greatest(5, $6 / greatest(cardinality($2::text[]), 1))
           ) m
           union
           select d.id from ${customers} d
           where d.org_id = $1 and d.deleted_at is null and split_part(lower(d.email), '@', 2) = any($5::text[])
         )
         order by c.name, c.id
         limit $6`)}
        using p_org, p_phrases, p_prefixes, p_squeezed, p_domains, p_limit;`,
    ),
  ];
}

/** Replaces the candidates function in the ledger's schema and the mirror's. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await migrateLedgerAndMirror(db, () => [], candidatesFunction);
}
