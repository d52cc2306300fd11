/**
 * Rate-limit counters shared by every server process on one database (src/limits/): one row per limited key
 * (a route and a client address or credential hash), its hits in the current window and when the window ends.
 * Not org data: no org_id and no row-level policy, and the request role `leash_app` may not read it; row-level
 * security is on all the same (every table has it: store/org-scope.test.ts), so with no policy only the tables'
 * owner sees a row. The counters are bumped before a request is authenticated, as that owner. Rows whose window ended long ago are pruned
 * by the counter itself.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates rate_limit_hits. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table rate_limit_hits (
      key text primary key,
      hits integer not null,
      resets_at timestamptz not null
    );
    create index rate_limit_hits_resets_at on rate_limit_hits (resets_at);
    revoke all on rate_limit_hits from leash_app;
    alter table rate_limit_hits enable row level security
    `,
  );
}
