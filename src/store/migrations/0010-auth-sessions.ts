/**
 * Sign-in for the server: magic links (invites and logins, single use, stored as a SHA-256 of the token),
 * sessions (one per sign-in, revocable) and their rotating refresh tokens (also stored hashed; a token used
 * twice revokes its session).
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates magic_links, auth_sessions and refresh_tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table magic_links (
      id text primary key,
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      purpose text not null check (purpose in ('invite', 'login')),
      token_hash text not null unique,
      created_by text references members(id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index magic_links_member on magic_links (org_id, member_id);
    create table auth_sessions (
      id text primary key,
      org_id text not null references orgs(id),
      member_id text not null references members(id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      revoked_reason text
    );
    create index auth_sessions_member on auth_sessions (org_id, member_id);
    create table refresh_tokens (
      token_hash text primary key,
      org_id text not null references orgs(id),
      session_id text not null references auth_sessions(id),
      created_at timestamptz not null,
      used_at timestamptz
    );
    create index refresh_tokens_session on refresh_tokens (session_id);
    `,
  );
}
