/**
 * API keys for MCP clients and automation: stored only as a SHA-256 of the key (the key itself is shown once),
 * owned by a member whose role — as it is at each use — the key acts with; revocable, with last-used time.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates api_keys. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table api_keys (
      id text primary key,
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      name text not null,
      prefix text not null,
      key_hash text not null unique,
      created_at timestamptz not null,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index api_keys_org_member on api_keys (org_id, member_id);
    `,
  );
}
