/**
 * API keys: `lk_` + 32 random bytes (base64url). Only the key's SHA-256 is stored; the key is shown once, at
 * creation. A key acts as its member with the member's role at the time of each use (a demoted member's keys
 * are demoted too; a disabled member's keys stop working). Creating and revoking are audited. A key's scope is
 * `all`, or `gate`: a gate key may call only the gate service (`/api/gate/…`, for another company's agent) — every
 * other route and MCP refuse it, so the agent cannot reach billing operations with it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Database } from '../store/schema.ts';
import { MEMBER_AND_ORG_COLUMNS, type Member, memberAndOrgOf, type Org } from './members.ts';

const KEY = /^lk_[A-Za-z0-9_-]{43}$/;

/** What a key may call: everything its member may, or only the gate service. */
export const API_KEY_SCOPES = ['all', 'gate'] as const;

/** A key's scope. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A key as listed (never the key itself). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  memberId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  scope: ApiKeyScope;
}

/** Creates a key for `member`; returns the key once, and its listing. */
export async function createApiKey(
  db: Kysely<Database>,
  member: Member,
  name: string,
  channel = 'cli',
  scope: ApiKeyScope = 'all',
): Promise<{ key: string; info: ApiKeyInfo }> {
  const label = name.trim();
  if (!label || label.length > 100)
    throw new LeashError('bad_input', 'a key name is 1 to 100 characters', { field: 'name' });
  const key = `lk_${randomBytes(32).toString('base64url')}`;
  const info: ApiKeyInfo = {
    id: newId('apiKey'),
    name: label,
    prefix: key.slice(0, 10),
    memberId: member.id,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
    scope,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('apiKeys')
      .values({ ...info, orgId: member.orgId, keyHash: hashKey(key) })
      .execute();
    await appendAuditEvent(trx, {
      orgId: member.orgId,
      event: 'auth.key_created',
      actorId: member.id,
      actorEmail: member.email,
      actorRole: member.role,
      channel,
      arguments: { keyId: info.id, name: label, prefix: info.prefix, scope },
    });
  });
  return { key, info };
}

/** Last-used times are kept to the minute: a busy key does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The member (and org) a key acts as — with the member's role as it is now — or undefined for a malformed,
 * unknown or revoked key, or a disabled member (all answered alike). One query; the last-used time is written
 * at most once a minute. A gate-scoped key is refused (forbidden) unless the caller is the gate (`forGate`).
 */
export async function resolveApiKey(
  db: Kysely<Database>,
  key: string,
  options: { forGate?: boolean } = {},
): Promise<{ member: Member; org: Org; key: { id: string; name: string; scope: ApiKeyScope } } | undefined> {
  if (!KEY.test(key)) return undefined;
  const row = await db
    .selectFrom('apiKeys')
    .innerJoin('members', (join) =>
      join.onRef('members.id', '=', 'apiKeys.memberId').onRef('members.orgId', '=', 'apiKeys.orgId'),
    )
    .innerJoin('orgs', 'orgs.id', 'apiKeys.orgId')
    .select([
      'apiKeys.id as keyId',
      'apiKeys.name as keyName',
      'apiKeys.scope as keyScope',
      'apiKeys.lastUsedAt',
      ...MEMBER_AND_ORG_COLUMNS,
    ])
    .where('apiKeys.keyHash', '=', hashKey(key))
    .where('apiKeys.revokedAt', 'is', null)
    .where('members.disabledAt', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.keyScope === 'gate' && !options.forGate)
    throw new LeashError('forbidden', 'this API key may call only the gate (/api/gate/…), not other routes or MCP');
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)
    await db.updateTable('apiKeys').set({ lastUsedAt: now }).where('id', '=', row.keyId).execute();
  const { keyId, keyName, keyScope, lastUsedAt: _used, ...rest } = row;
  return { ...memberAndOrgOf(rest), key: { id: keyId, name: keyName, scope: keyScope as ApiKeyScope } };
}

/** The member a key acts as (see `resolveApiKey`). */
export async function memberForApiKey(db: Kysely<Database>, key: string): Promise<Member | undefined> {
  return (await resolveApiKey(db, key))?.member;
}

/** The org's keys (all members' for an owner; a member's own otherwise). */
export async function listApiKeys(db: Kysely<Database>, member: Member): Promise<ApiKeyInfo[]> {
  let select = db
    .selectFrom('apiKeys')
    .select(['id', 'name', 'prefix', 'memberId', 'createdAt', 'lastUsedAt', 'revokedAt', 'scope'])
    .where('orgId', '=', member.orgId);
  if (member.role !== 'owner') select = select.where('memberId', '=', member.id);
  const rows = await select.orderBy('createdAt', 'desc').execute();
  return rows.map((row) => ({ ...row, scope: row.scope as ApiKeyScope }));
}

/** Revokes a key: its owner or the org's owner may. */
export async function revokeApiKey(
  db: Kysely<Database>,
  member: Member,
  keyId: string,
  channel = 'cli',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('apiKeys')
      .select(['id', 'memberId', 'revokedAt'])
      .where('orgId', '=', member.orgId)
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!row || (row.memberId !== member.id && member.role !== 'owner'))
      throw new LeashError('not_found', `no key ${keyId}`, { resource: 'key', id: keyId });
    if (row.revokedAt) return;
    await trx.updateTable('apiKeys').set({ revokedAt: new Date() }).where('id', '=', keyId).execute();
    await appendAuditEvent(trx, {
      orgId: member.orgId,
      event: 'auth.key_revoked',
      actorId: member.id,
      actorEmail: member.email,
      actorRole: member.role,
      channel,
      arguments: { keyId },
    });
  });
}
