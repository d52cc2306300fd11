/**
 * Sign-in for the server: magic links, sessions, access tokens and rotating refresh tokens.
 *
 * * Magic links (invites valid 48 h, logins 15 min) are single use: redeeming one is one conditional UPDATE, so a
 *   replayed or concurrent second use finds nothing. Only a SHA-256 of each token is stored.
 * * A redeemed link starts a session (30 days). The session hands out access tokens — JWTs (HS256) valid one
 *   hour, naming the member, org and session — and one refresh token at a time. Refreshing uses the token up
 *   and issues the next; presenting a used token again means it was stolen or replayed, and revokes the session.
 * * Every request re-reads the member and the session: a revoked session, a disabled member or a changed role
 *   applies at once, whatever an unexpired token says.
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Kysely, Transaction } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { dataDirFile, loadKeyText } from '../store/key-material.ts';
import type { Database } from '../store/schema.ts';
import { getMember, MEMBER_AND_ORG_COLUMNS, type Member, memberAndOrgOf, type Org } from './members.ts';

type Executor = Kysely<Database> | Transaction<Database>;

const HOUR = 3_600_000;
/** How long links and tokens live. */
export const LIFETIMES = {
  invite: 48 * HOUR,
  login: 15 * 60_000,
  accessToken: HOUR,
  session: 30 * 24 * HOUR,
} as const;

const ISSUER = 'leash';
const AUDIENCE = 'leash-api';

function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Every sign-in failure looks the same to the caller, whatever the cause. */
function unauthenticated(message = 'sign in again: the token is invalid, expired or revoked'): LeashError {
  return new LeashError('unauthenticated', message);
}

/**
 * The key access tokens are signed with: LEASH_JWT_SECRET (at least 32 characters; set the same value on every
 * server process), otherwise a random key kept in `keyFile`, readable only by its owner.
 */
export function loadSigningKey(keyFile = dataDirFile('jwt-secret')): Uint8Array {
  return new TextEncoder().encode(loadKeyText('LEASH_JWT_SECRET', keyFile, 32));
}

/** Creates a magic link for `member`; returns the token once (only its hash is kept). */
export async function createMagicLink(
  db: Executor,
  member: Member,
  purpose: 'invite' | 'login',
  createdBy: Member | null,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + LIFETIMES[purpose]);
  await db
    .insertInto('magicLinks')
    .values({
      id: newId('magicLink'),
      orgId: member.orgId,
      memberId: member.id,
      purpose,
      tokenHash: sha256(token),
      createdBy: createdBy?.id ?? null,
      createdAt: now,
      expiresAt,
    })
    .execute();
  await appendAuditEvent(db, {
    orgId: member.orgId,
    event: 'auth.link_sent',
    actorId: createdBy?.id ?? member.id,
    actorEmail: createdBy?.email ?? member.email,
    actorRole: createdBy?.role ?? member.role,
    channel: 'http',
    arguments: { purpose, to: member.email, expiresAt: expiresAt.toISOString() },
  });
  return { token, expiresAt };
}

/** A started session: its id, and the first refresh token (returned once). */
export interface SessionStart {
  member: Member;
  sessionId: string;
  refreshToken: string;
}

async function issueRefreshToken(db: Executor, orgId: string, sessionId: string): Promise<string> {
  const token = randomToken();
  await db
    .insertInto('refreshTokens')
    .values({ tokenHash: sha256(token), orgId, sessionId, createdAt: new Date() })
    .execute();
  return token;
}

/** Uses a magic link up (once, before it expires) and starts a session for its member. */
export async function redeemMagicLink(db: Kysely<Database>, token: string): Promise<SessionStart> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw unauthenticated('this sign-in link is invalid');
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .updateTable('magicLinks')
      .set({ usedAt: new Date() })
      .where('tokenHash', '=', sha256(token))
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', new Date())
      .returning(['orgId', 'memberId', 'purpose'])
      .executeTakeFirst();
    if (!link) throw unauthenticated('this sign-in link is invalid, used or expired: ask for a new one');
    const member = await getMember(trx, link.orgId, link.memberId);
    if (!member) throw unauthenticated('this sign-in link is invalid, used or expired: ask for a new one');
    const sessionId = newId('session');
    const now = new Date();
    await trx
      .insertInto('authSessions')
      .values({
        id: sessionId,
        orgId: member.orgId,
        memberId: member.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + LIFETIMES.session),
      })
      .execute();
    const refreshToken = await issueRefreshToken(trx, member.orgId, sessionId);
    await appendAuditEvent(trx, {
      orgId: member.orgId,
      event: 'auth.login',
      actorId: member.id,
      actorEmail: member.email,
      actorRole: member.role,
      channel: 'http',
      arguments: { sessionId, via: link.purpose },
    });
    return { member, sessionId, refreshToken };
  });
}

/**
 * Exchanges a refresh token for the next one. A token presented a second time revokes its session (the
 * rotation's reuse detection) and fails, as does a token of a revoked or expired session.
 */
export async function rotateRefreshToken(db: Kysely<Database>, token: string): Promise<SessionStart> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw unauthenticated();
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('refreshTokens')
      .innerJoin('authSessions', 'authSessions.id', 'refreshTokens.sessionId')
      .select([
        'refreshTokens.usedAt',
        'authSessions.id as sessionId',
        'authSessions.orgId',
        'authSessions.memberId',
        'authSessions.revokedAt',
        'authSessions.expiresAt',
      ])
      .where('refreshTokens.tokenHash', '=', sha256(token))
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.revokedAt || row.expiresAt <= new Date()) return undefined;
    if (row.usedAt) {
      await revokeSessionIn(trx, row.orgId, row.sessionId, 'refresh token reused');
      return 'reused' as const;
    }
    const member = await getMember(trx, row.orgId, row.memberId);
    if (!member) return undefined;
    await trx.updateTable('refreshTokens').set({ usedAt: new Date() }).where('tokenHash', '=', sha256(token)).execute();
    const refreshToken = await issueRefreshToken(trx, row.orgId, row.sessionId);
    return { member, sessionId: row.sessionId, refreshToken };
  });
  if (outcome === 'reused')
    throw unauthenticated('this refresh token was already used: the session is revoked, sign in again');
  if (!outcome) throw unauthenticated();
  return outcome;
}

async function revokeSessionIn(trx: Executor, orgId: string, sessionId: string, reason: string): Promise<boolean> {
  const revoked = await trx
    .updateTable('authSessions')
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where('orgId', '=', orgId)
    .where('id', '=', sessionId)
    .where('revokedAt', 'is', null)
    .returning(['memberId'])
    .executeTakeFirst();
  if (!revoked) return false;
  await appendAuditEvent(trx, {
    orgId,
    event: reason === 'signed out' ? 'auth.logout' : 'auth.session_revoked',
    actorId: revoked.memberId,
    channel: 'http',
    arguments: { sessionId, reason },
  });
  return true;
}

/** Revokes a session: its refresh token and every access token naming it stop working at once. */
export async function revokeSession(
  db: Kysely<Database>,
  orgId: string,
  sessionId: string,
  reason: string,
): Promise<boolean> {
  return db.transaction().execute((trx) => revokeSessionIn(trx, orgId, sessionId, reason));
}

/** Signs a one-hour access token for a session. */
export async function signAccessToken(key: Uint8Array, member: Member, sessionId: string, now = new Date()) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + LIFETIMES.accessToken / 1000;
  const token = await new SignJWT({ org: member.orgId, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(member.id)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * The member and session an access token stands for, re-read from the store: HS256 only (`alg: none` and
 * every other algorithm are refused), our issuer and audience, unexpired, the session not revoked.
 */
export async function verifyAccessToken(
  db: Kysely<Database>,
  key: Uint8Array,
  token: string,
): Promise<{ member: Member; org: Org; sessionId: string }> {
  let claims: { sub?: string; org?: unknown; sid?: unknown };
  try {
    ({ payload: claims } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthenticated('the access token has expired: refresh it');
    throw unauthenticated();
  }
  if (typeof claims.sub !== 'string' || typeof claims.org !== 'string' || typeof claims.sid !== 'string')
    throw unauthenticated();
  // One query: the session (not revoked, not expired), its member (active, current role) and the org.
  const row = await db
    .selectFrom('authSessions')
    .innerJoin('members', (join) =>
      join.onRef('members.id', '=', 'authSessions.memberId').onRef('members.orgId', '=', 'authSessions.orgId'),
    )
    .innerJoin('orgs', 'orgs.id', 'authSessions.orgId')
    .select(MEMBER_AND_ORG_COLUMNS)
    .where('authSessions.orgId', '=', claims.org)
    .where('authSessions.id', '=', claims.sid)
    .where('authSessions.memberId', '=', claims.sub)
    .where('authSessions.revokedAt', 'is', null)
    .where('authSessions.expiresAt', '>', new Date())
    .where('members.disabledAt', 'is', null)
    .executeTakeFirst();
  if (!row) throw unauthenticated();
  return { ...memberAndOrgOf(row), sessionId: claims.sid };
}
