/**
 * Authentication, against a real server: magic links (emailed over real SMTP on loopback, single use),
 * access tokens (expired, `alg: none`, wrong key, revoked: refused), refresh rotation with reuse detection,
 * and API keys that follow their member's current role.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMemberRole } from '../../src/auth/members.ts';
import { createMagicLink, signAccessToken } from '../../src/auth/sessions.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

/** The login answer without the address it echoes. */
function normaliseBody(body: unknown): string {
  return JSON.stringify(body).replace(/if \S+ is a member/, 'if … is a member');
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe(`authentication (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let smtp: SMTPServer;
  const mails: string[] = [];

  beforeAll(async () => {
    fixture = await openLeashFixture();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let text = '';
        stream.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        stream.on('end', () => {
          mails.push(text);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as { port: number }).port;
    server = await startTestServer(fixture, {
      mailer: {
        transport: nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }),
        from: 'leash@northwind.test',
      },
      development: false,
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await fixture.close();
  });

  it('emails a single-use sign-in link; the second use of the link is refused', async () => {
    const asked = await server.call('POST', '/api/auth/login', { body: { email: 'Fiona@Northwind.test' } });
    expect(asked.status).toBe(202);
    const unknown = await server.call('POST', '/api/auth/login', { body: { email: 'stranger@example.com' } });
    expect(unknown).toMatchObject({ status: 202, body: { sent: true } });
    expect(normaliseBody(unknown.body)).toEqual(normaliseBody(asked.body));
    // The link is made and mailed after the answer.
    await waitFor(() => mails.length >= 1);
    expect(mails).toHaveLength(1);
    const token = /login\?token=([A-Za-z0-9_-]{43})/.exec(mails[0]?.replace(/=\r?\n/g, '') ?? '')?.[1];
    expect(token).toBeDefined();
    // The link opens the dashboard's sign-in (or, without a build, the plain form); neither uses the link up.
    const page = await fetch(`${server.url}/login?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Sign in to Leash|<div id="root">/);
    const first = await server.call<{ access_token: string; member: { email: string } }>('POST', '/api/auth/redeem', {
      body: { token },
    });
    expect(first.status).toBe(200);
    expect(first.body.member.email).toBe(FINANCE);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/leash_refresh=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    const me = await server.call('GET', '/api/me', { token: first.body.access_token });
    expect(me.body).toMatchObject({ member: { email: FINANCE, role: 'billing_manager' } });
    const replay = await server.call('POST', '/api/auth/redeem', { body: { token } });
    expect(replay.status).toBe(401);
  });

  it('the owner invites a member through the gate; the emailed invite signs them in once; a role change applies at once', async () => {
    const owner = (await server.signIn('olivia@northwind.test')).token;
    const before = mails.length;
    const invited = await server.call<{
      execution: { status: string };
      invite: { delivery: string; expires_at: string };
    }>('POST', '/api/members', {
      token: owner,
      body: { email: 'nina@northwind.test', role: 'billing_clerk', reason: 'new hire', case_id: 'HR-7' },
    });
    expect(invited.status).toBe(201);
    expect(invited.body.execution.status).toBe('succeeded');
    expect(invited.body.invite.delivery).toBe('sent');
    expect(new Date(invited.body.invite.expires_at).getTime() - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect(mails).toHaveLength(before + 1);
    const mail = mails.at(-1)?.replace(/=\r?\n/g, '') ?? '';
    expect(mail).toMatch(/invited to Leash as billing clerk/);
    const token = /login\?token=([A-Za-z0-9_-]{43})/.exec(mail)?.[1];
    const redeemed = await server.call<{ access_token: string }>('POST', '/api/auth/redeem', { body: { token } });
    expect(redeemed.status).toBe(200);
    const nina = redeemed.body.access_token;
    expect((await server.call('GET', '/api/me', { token: nina })).body).toMatchObject({
      member: { email: 'nina@northwind.test', role: 'billing_clerk' },
    });
    expect((await server.call('POST', '/api/auth/redeem', { body: { token } })).status).toBe(401);
    // A clerk cannot invite anyone: the same gate as the CLI.
    const refused = await server.call('POST', '/api/members', {
      token: nina,
      body: { email: 'pal@northwind.test', role: 'billing_manager', reason: 'friend', case_id: 'HR-8' },
    });
    expect(refused.body).toMatchObject({ proposal: { decision: { outcome: 'block' } }, execution: null, invite: null });
    const demoted = await server.call('PATCH', '/api/members/nina@northwind.test', {
      token: owner,
      body: { role: 'read_only', reason: 'moved team', case_id: 'HR-9' },
    });
    expect(demoted.body).toMatchObject({ execution: { status: 'succeeded' } });
    expect((await server.call('GET', '/api/me', { token: nina })).body).toMatchObject({
      member: { role: 'read_only' },
    });
  });

  it('refuses a replayed invite, and an expired one', async () => {
    const member = await fixture.member(CLERK);
    const invite = await createMagicLink(fixture.store.db, member, 'invite', await fixture.member(MANAGER));
    expect(invite.expiresAt.getTime() - Date.now()).toBeGreaterThan(47.9 * 3_600_000);
    expect((await server.call('POST', '/api/auth/redeem', { body: { token: invite.token } })).status).toBe(200);
    expect((await server.call('POST', '/api/auth/redeem', { body: { token: invite.token } })).status).toBe(401);
    const stale = await createMagicLink(fixture.store.db, member, 'invite', null);
    await fixture.store.db
      .updateTable('magicLinks')
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where('memberId', '=', member.id)
      .where('usedAt', 'is', null)
      .execute();
    expect((await server.call('POST', '/api/auth/redeem', { body: { token: stale.token } })).status).toBe(401);
  });

  it('refuses expired, forged (alg none, wrong key, tampered) and revoked access tokens', async () => {
    const { token } = await server.signIn(CLERK);
    expect((await server.call('GET', '/api/me', { token })).status).toBe(200);
    const member = await fixture.member(CLERK);
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;

    const expired = await signAccessToken(
      server.signingKey,
      member,
      String(claims.sid),
      new Date(Date.now() - 2 * 3_600_000),
    );
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    const wrongKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const ownerClaims = { ...claims, sub: (await fixture.member('olivia@northwind.test')).id };
    const tampered = `${token.split('.')[0]}.${base64url(ownerClaims)}.${token.split('.')[2]}`;
    const selfSigned = (() => {
      const head = base64url({ alg: 'HS256', typ: 'JWT' });
      const body = base64url(ownerClaims);
      return `${head}.${body}.${createHmac('sha256', 'guess').update(`${head}.${body}`).digest('base64url')}`;
    })();
    for (const forged of [expired.token, none, wrongKey, tampered, selfSigned, 'lk_not-a-key', 'garbage']) {
      const response = await server.call<{ error: { code: string } }>('GET', '/api/me', { token: forged });
      expect(response.status, forged.slice(0, 30)).toBe(401);
      expect(response.body.error.code).toBe('unauthenticated');
    }
    const logout = await server.call('POST', '/api/auth/logout', { token });
    expect(logout.body).toMatchObject({ signed_out: true });
    expect((await server.call('GET', '/api/me', { token })).status).toBe(401);
  });

  it('rotates the refresh token on use; presenting a used one revokes the session', async () => {
    const { token, cookie } = await server.signIn(MANAGER);
    const refresh = (value: string) =>
      fetch(`${server.url}/api/auth/refresh`, { method: 'POST', headers: { cookie: value } });
    const rotated = await refresh(cookie);
    expect(rotated.status).toBe(200);
    const next = (rotated.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(next).not.toBe(cookie);
    const { access_token: fresh } = (await rotated.json()) as { access_token: string };
    expect((await server.call('GET', '/api/me', { token: fresh })).status).toBe(200);
    // The old token again: reuse. The session is revoked, so the new refresh token and every access token die.
    expect((await refresh(cookie)).status).toBe(401);
    expect((await refresh(next)).status).toBe(401);
    expect((await server.call('GET', '/api/me', { token: fresh })).status).toBe(401);
    expect((await server.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await refresh('')).status).toBe(401);
  });

  it('an API key follows its member: demoted, the key loses the old rights at once', async () => {
    const key = await server.apiKey(MANAGER);
    const { customer } = await fixture.paidCharge(3_000);
    const input = {
      customer_id: customer.id,
      // An address: a change of email needs a support lead's approval whoever asks (issue 17).
      address: { line1: '7 New Road', city: 'Leeds' },
      reason: 'customer asked',
      case_id: 'T-7',
    };
    const before = await server.call('POST', '/api/operations/update_customer', { token: key, body: input });
    expect(before.body).toMatchObject({ decision: { outcome: 'pass' } });
    await changeMemberRole(fixture.store.db, fixture.orgId, MANAGER, 'read_only');
    const after = await server.call('POST', '/api/operations/update_customer', { token: key, body: input });
    expect(after.body).toMatchObject({ decision: { outcome: 'block' } });
    // Confirming the proposal made while still a manager is re-decided on the current role.
    const confirm = await server.call<{ status?: string; error?: { code: string } }>(
      'POST',
      `/api/proposals/${(before.body as { id: string }).id}/confirm`,
      { token: key, body: {} },
    );
    expect(confirm.body.status ?? confirm.body.error?.code).toMatch(/blocked/);
    expect((await fixture.connector.getCustomer(customer.id))?.email).toBe(customer.email);
    await changeMemberRole(fixture.store.db, fixture.orgId, MANAGER, 'billing_manager');
    const revoke = await server.call<{ keys: { id: string }[] }>('GET', '/api/keys', { token: key });
    const id = revoke.body.keys[0]?.id;
    expect((await server.call('DELETE', `/api/keys/${id}`, { token: key })).status).toBe(200);
    expect((await server.call('GET', '/api/me', { token: key })).status).toBe(401);
  });
});
