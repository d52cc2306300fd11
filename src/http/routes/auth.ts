/**
 * Sign-in: request a magic link by email, redeem it for an access token (JSON) and a refresh cookie
 * (httpOnly, SameSite=Strict, path /api/auth), refresh (rotating), sign out. Asking for a link answers the same
 * whether or not the address is a member, so the endpoint does not reveal who is.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  findMemberByEmail,
  listOrgs,
  type Member,
  normaliseEmail,
  parseTimeZone,
  setMemberTimeZone,
} from '../../auth/members.ts';
import {
  createMagicLink,
  LIFETIMES,
  redeemMagicLink,
  revokeSession,
  rotateRefreshToken,
  type SessionStart,
  signAccessToken,
} from '../../auth/sessions.ts';
import { badInput, LeashError } from '../../domain/errors.ts';
import { readerTimeZone } from '../../domain/person-time.ts';
import { withoutOrgScope } from '../../store/org-scope.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';
import type { WebApp } from './web.ts';

const REFRESH_COOKIE = 'leash_refresh';

/** Sends (or, in development without SMTP, logs) a sign-in link. */
export async function deliverSignInLink(
  deps: ServerDeps,
  log: FastifyBaseLogger,
  member: Member,
  token: string,
  purpose: 'invite' | 'login',
): Promise<'sent' | 'logged'> {
  const url = `${deps.publicUrl}/login?token=${token}`;
  const hours = LIFETIMES[purpose] / 3_600_000;
  const lifetime = hours >= 1 ? `${hours} hours` : `${LIFETIMES[purpose] / 60_000} minutes`;
  if (deps.mailer) {
    await deps.mailer.transport.sendMail({
      from: deps.mailer.from,
      to: member.email,
      subject: purpose === 'invite' ? 'You are invited to Leash' : 'Your Leash sign-in link',
      text: `${purpose === 'invite' ? `You have been invited to Leash as ${member.role.replace('_', ' ')}.` : 'Someone (hopefully you) asked to sign in to Leash.'}\n\nOpen this link within ${lifetime}; it works once:\n${url}\n\nIf you did not expect this, ignore it.\n`,
    });
    return 'sent';
  }
  if (!deps.development)
    throw new LeashError('unavailable', 'email is not configured: set LEASH_SMTP_URL so sign-in links can be sent');
  log.warn({ to: member.email, purpose, url }, `sign-in link for ${member.email} (development: no SMTP configured)`);
  deps.printSignInLink?.(`Sign-in link for ${member.email} (opens once, within ${lifetime}): ${url}`);
  return 'logged';
}

async function answerWithSession(deps: ServerDeps, reply: FastifyReply, started: SessionStart) {
  const access = await signAccessToken(deps.signingKey, started.member, started.sessionId);
  reply.setCookie(REFRESH_COOKIE, started.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.publicUrl.startsWith('https:'),
    path: '/api/auth',
    maxAge: LIFETIMES.session / 1000,
  });
  return {
    access_token: access.token,
    token_type: 'Bearer' as const,
    expires_at: access.expiresAt.toISOString(),
    member: {
      id: started.member.id,
      email: started.member.email,
      role: started.member.role,
      groups: started.member.groups,
    },
  };
}

const sessionResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_at: z.string(),
  member: z.object({ id: z.string(), email: z.string(), role: z.string(), groups: z.array(z.string()) }),
});

const LOGIN_PAGE = (token: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to Leash</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem">
<h1>Sign in to Leash</h1>
<p>This link signs you in once. Press the button to continue.</p>
<form method="post" action="/api/auth/redeem">
<input type="hidden" name="token" value="${token.replace(/[^A-Za-z0-9_-]/g, '')}">
<button type="submit">Sign in</button>
</form></body></html>`;

/** Registers the sign-in routes (the link's page is the dashboard's sign-in when it is built). */
export function registerAuthRoutes(app: TypedApp, deps: ServerDeps, web: WebApp): void {
  const signInLimit = { rateLimit: { max: deps.rateLimits.signIn, timeWindow: '1 minute' } };
  // Forms from the sign-in page post url-encoded bodies.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post(
    '/api/auth/login',
    {
      config: signInLimit,
      schema: {
        tags: ['auth'],
        summary: 'Email me a sign-in link',
        description:
          'Sends a single-use link valid 15 minutes to each org the address is a member of. Answers the same for unknown addresses.',
        security: [],
        body: z.object({ email: z.string().max(320) }).strict(),
        response: { 202: z.object({ sent: z.literal(true), message: z.string() }) },
      },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      // Answered before looking anything up, and the same either way: neither the body nor the time taken says
      // whether the address is a member. Links are made and sent after the answer.
      void withoutOrgScope(async () => {
        for (const org of await listOrgs(deps.store.db)) {
          const member = await findMemberByEmail(deps.store.db, org.id, email);
          if (!member) continue;
          const link = await createMagicLink(deps.store.db, member, 'login', null);
          await deliverSignInLink(deps, request.log, member, link.token, 'login');
        }
      }).catch((error: unknown) => request.log.error({ err: error }, 'sign-in link not sent'));
      return reply.status(202).send({ sent: true, message: `if ${email} is a member, a sign-in link is on its way` });
    },
  );

  app.get(
    '/login',
    { schema: { hide: true, querystring: z.object({ token: z.string().max(100).default('') }) } },
    async (request, reply) =>
      web.built ? web.sendApp(reply) : reply.type('text/html; charset=utf-8').send(LOGIN_PAGE(request.query.token)),
  );

  app.post(
    '/api/auth/redeem',
    {
      config: signInLimit,
      schema: {
        tags: ['auth'],
        summary: 'Redeem a magic link',
        description:
          'Uses the link up (once) and starts a session: an access token valid one hour, and the refresh cookie.',
        security: [],
        body: z.object({ token: z.string().max(100) }).strict(),
        response: { 200: sessionResponse },
      },
    },
    async (request, reply) =>
      answerWithSession(deps, reply, await withoutOrgScope(() => redeemMagicLink(deps.store.db, request.body.token))),
  );

  app.post(
    '/api/auth/refresh',
    {
      config: signInLimit,
      schema: {
        tags: ['auth'],
        summary: 'Exchange the refresh cookie for a new access token',
        description: 'The refresh token rotates on every use; presenting a used one revokes the whole session.',
        security: [],
        response: { 200: sessionResponse },
      },
    },
    async (request, reply) => {
      const token = request.cookies[REFRESH_COOKIE];
      if (!token) throw new LeashError('unauthenticated', 'no refresh cookie: sign in again');
      return answerWithSession(deps, reply, await withoutOrgScope(() => rotateRefreshToken(deps.store.db, token)));
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: revoke this session',
        response: { 200: z.object({ signed_out: z.boolean() }) },
      },
    },
    async (request, reply) =>
      asCaller(deps, request, async (caller) => {
        const revoked = caller.sessionId
          ? await revokeSession(deps.store.db, caller.org.id, caller.sessionId, 'signed out')
          : false;
        reply.clearCookie(REFRESH_COOKIE, { path: '/api/auth' });
        return { signed_out: revoked };
      }),
  );

  /** Who the caller is, with the zone times are worded in for them. */
  const meResponse = z.object({
    member: z.object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      role: z.string(),
      groups: z.array(z.string()),
      time_zone: z.string().nullable().describe('the IANA zone the member chose; null when none is set'),
    }),
    org: z.object({ id: z.string(), name: z.string(), policy_profile: z.string() }),
    time_zone: z.string().describe("the zone Leash words this member's times in: their own, else the org's, else UTC"),
  });
  const describeMe = (member: Member, org: { id: string; name: string; policyProfile: string }) => ({
    member: {
      id: member.id,
      email: member.email,
      name: member.name,
      role: member.role,
      groups: member.groups,
      time_zone: member.timeZone,
    },
    org: { id: org.id, name: org.name, policy_profile: org.policyProfile },
    time_zone: readerTimeZone(member),
  });

  app.get(
    '/api/me',
    { schema: { tags: ['auth'], summary: 'Who am I', response: { 200: meResponse } } },
    async (request) => asCaller(deps, request, async ({ member, org }) => describeMe(member, org)),
  );

  app.patch(
    '/api/me',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['auth'],
        summary: 'Set your own time zone (a personal preference, audited as member.time_zone_changed)',
        description:
          'Times are worded in this zone for you: chat, proposal cards, approval expiry, the dashboard. An IANA ' +
          "zone such as Asia/Kolkata; null clears it (the org's zone, else UTC). Not a billing change, so not a " +
          'proposal; one audit row with the zone before and after.',
        body: z
          .object({
            time_zone: z
              .string()
              .max(64)
              .nullable()
              .describe('an IANA time zone (Europe/London, America/Los_Angeles, UTC), or null to clear'),
          })
          .strict(),
        response: { 200: meResponse },
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request) =>
      asCaller(deps, request, async ({ member, org }) => {
        const body = request.body as unknown;
        if (!body || typeof body !== 'object' || Array.isArray(body) || !('time_zone' in body))
          throw badInput('time_zone', 'give time_zone: an IANA time zone such as Europe/London, or null');
        const extra = Object.keys(body).find((key) => key !== 'time_zone');
        if (extra) throw badInput(extra, 'not a setting of yours (time_zone is)');
        const value = (body as { time_zone: unknown }).time_zone;
        const updated = await setMemberTimeZone(deps.store.db, member, value === null ? null : parseTimeZone(value), {
          channel: 'http',
          requestId: request.id,
        });
        return describeMe(updated, org);
      }),
  );
}
