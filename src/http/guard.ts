/**
 * Authentication and org scope for API routes. A bearer credential is an API key (`lk_…`) or an access token
 * signed by this server; anything else is refused. Both are re-checked against the store on every request
 * (revoked, disabled, demoted all apply at once). The handler then runs inside the member's org scope, so
 * row-level security holds every query to that org.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { resolveApiKey } from '../auth/api-keys.ts';
import type { Member, Org } from '../auth/members.ts';
import { verifyAccessToken } from '../auth/sessions.ts';
import { LeashError } from '../domain/errors.ts';
import type { Channel, OperationContext } from '../operations/define-operation.ts';
import { withOrgScope, withoutOrgScope } from '../store/org-scope.ts';
import { memberContext } from '../surfaces/operation-context.ts';
import { noteCaller } from './request-log.ts';
import type { ServerDeps } from './server.ts';

/** Who is calling, and the operations context for them. */
export interface Caller {
  member: Member;
  org: Org;
  context: OperationContext;
  /** The sign-in session, for access tokens (not API keys). */
  sessionId: string | null;
}

/** The member a request's bearer credential stands for. */
export async function authenticate(
  deps: ServerDeps,
  request: FastifyRequest,
  options: { forGate?: boolean } = {},
): Promise<{ member: Member; org: Org; sessionId: string | null }> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1])
    throw new LeashError('unauthenticated', 'send Authorization: Bearer with an access token or API key');
  const credential = match[1];
  return withoutOrgScope(async () => {
    if (credential.startsWith('lk_')) {
      const found = await resolveApiKey(deps.store.db, credential, options);
      if (!found) throw new LeashError('unauthenticated', 'this API key is invalid or revoked');
      return { ...found, sessionId: null };
    }
    return verifyAccessToken(deps.store.db, deps.signingKey, credential);
  });
}

/** Authenticates the request, enters the member's org scope, builds the context and runs `work`. */
export async function asCaller<Result>(
  deps: ServerDeps,
  request: FastifyRequest,
  work: (caller: Caller) => Promise<Result>,
  channel: Channel = 'http',
  options: { forGate?: boolean } = {},
): Promise<Result> {
  const { member, org, sessionId } = await authenticate(deps, request, options);
  noteCaller(request, { orgId: org.id, memberId: member.id });
  return withOrgScope(member.orgId, async () => {
    const context = memberContext({ store: deps.store, org, member, gate: deps.gate, channel, requestId: request.id });
    return work({ member, org, context, sessionId });
  });
}

/** Rate-limit key for writes: a hash of the credential (never the credential itself), else the address. */
export function credentialKey(request: FastifyRequest): string {
  const header = request.headers.authorization;
  return header ? createHash('sha256').update(header).digest('base64url') : request.ip;
}

/** Route config limiting writes per credential to the server's per-minute budget. */
export function writeRateLimit(deps: ServerDeps) {
  return { rateLimit: { max: deps.rateLimits.writes, timeWindow: '1 minute', keyGenerator: credentialKey } };
}

/** Route config limiting /mcp requests (every JSON-RPC message) per credential to the server's per-minute budget. */
export function mcpRateLimit(deps: ServerDeps) {
  return { rateLimit: { max: deps.rateLimits.mcp, timeWindow: '1 minute', keyGenerator: credentialKey } };
}
