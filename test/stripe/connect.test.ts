/**
 * Connecting Stripe: only restricted keys, a permission probe with the real `stripe` SDK against a loopback server
 * speaking Stripe's wire format, the key sealed at rest (AES-256-GCM, bound to the org), never in a row, a log or
 * an answer, owner only, rotation and disconnection audited.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPermissionOf } from '../../src/connectors/stripe/probe-permissions.ts';
import { classifyStripeKey, keyHint } from '../../src/connectors/stripe/restricted-key.ts';
import {
  connectedStripeClient,
  connectStripe,
  disconnectStripe,
  stripeIntegration,
} from '../../src/operations/integrations.ts';
import { openSecret, sealSecret } from '../../src/secrets/secret-box.ts';
import { type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { type StripePermissionServer, startStripePermissionServer } from '../support/stripe-permissions.ts';

const GOOD = `rk_test_${'A1b2C3d4'.repeat(4)}good`;
const ROTATED = `rk_test_${'Z9y8X7w6'.repeat(4)}next`;
const NO_REFUNDS = `rk_test_${'Q1w2E3r4'.repeat(4)}norf`;

describe('which keys are accepted', () => {
  it.each([
    [`sk_live_${'x'.repeat(24)}`, /secret key/],
    [`sk_test_${'x'.repeat(24)}`, /secret key/],
    [`pk_live_${'x'.repeat(24)}`, /publishable key/],
    [`pk_test_${'x'.repeat(24)}`, /publishable key/],
    ['rk_test_short', /malformed/],
    [`rk_test_${'x'.repeat(20)} extra`, /malformed/],
    ['hello', /not a Stripe restricted key/],
  ])('refuses %s', (key, message) => {
    expect(() => classifyStripeKey(key)).toThrow(message);
  });
  it('accepts restricted keys and tells live from test', () => {
    expect(classifyStripeKey(GOOD)).toBe('test');
    expect(classifyStripeKey(`rk_live_${'x'.repeat(24)}`)).toBe('live');
    expect(keyHint(GOOD)).toBe('…good');
  });
  it("reads the missing permission out of Stripe's 403 message", () => {
    expect(
      missingPermissionOf(
        "The provided key 'rk_test_***abcd' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_subscription_read' permission would allow this request to continue.",
      ),
    ).toBe('rak_subscription_read');
  });
});

describe('sealed secrets', () => {
  const master = randomBytes(32);
  const binding = { orgId: 'org_a', purpose: 'stripe.restricted_key' };
  it('open only with the same master key, org and purpose, and never show the key', () => {
    const sealed = sealSecret(master, GOOD, binding);
    expect(sealed).not.toContain(GOOD.slice(8, 20));
    expect(openSecret(master, sealed, binding)).toBe(GOOD);
    expect(() => openSecret(randomBytes(32), sealed, binding)).toThrow(/master key/);
    expect(() => openSecret(master, sealed, { ...binding, orgId: 'org_b' })).toThrow(/master key/);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => openSecret(master, tampered, binding)).toThrow();
  });
});

describe(`connecting Stripe (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let stripe: StripePermissionServer;
  let env: NodeJS.ProcessEnv;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    fixture = await openLeashFixture();
    stripe = await startStripePermissionServer();
    stripe.addKey(GOOD);
    stripe.addKey(ROTATED);
    stripe.addKey(NO_REFUNDS, ['rak_refund_write', 'rak_subscription_read']);
    env = { LEASH_STRIPE_API_BASE: stripe.base };
  });
  afterAll(async () => {
    await stripe.close();
    await fixture.close();
  });

  async function everything(): Promise<string> {
    const rows = await fixture.store.db.selectFrom('integrations').selectAll().execute();
    const audit = await fixture.store.db.selectFrom('auditEvents').selectAll().execute();
    return JSON.stringify({ rows, audit });
  }

  it('reports exactly which permissions a key lacks, and stores nothing', async () => {
    const owner = await fixture.member(OWNER);
    await expect(connectStripe(fixture.store.db, { member: owner, key: NO_REFUNDS, masterKey, env })).rejects.toThrow(
      /missing 2 permission\(s\) Leash needs: Subscriptions: read \(rak_subscription_read\), Refunds: write \(rak_refund_write\)/,
    );
    expect((await stripeIntegration(fixture.store.db, owner.orgId)).status).toBe('not_connected');
    expect(await everything()).not.toContain('integration.connected');
  });

  it('refuses a key Stripe rejects, and an unreachable Stripe, with clear messages', async () => {
    const owner = await fixture.member(OWNER);
    const unknown = `rk_test_${'U'.repeat(24)}`;
    await expect(connectStripe(fixture.store.db, { member: owner, key: unknown, masterKey, env })).rejects.toThrow(
      /Stripe rejected the key/,
    );
    await expect(
      connectStripe(fixture.store.db, {
        member: owner,
        key: GOOD,
        masterKey,
        env: { LEASH_STRIPE_API_BASE: 'http://127.0.0.1:9' },
      }),
    ).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('lets only an owner connect', async () => {
    const manager = await fixture.member(MANAGER);
    await expect(connectStripe(fixture.store.db, { member: manager, key: GOOD, masterKey, env })).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    );
  });

  it('seals the key, shows only its last four characters, and uses it for Stripe calls', async () => {
    const owner = await fixture.member(OWNER);
    const result = await connectStripe(fixture.store.db, { member: owner, key: GOOD, masterKey, env });
    expect(result.rotated).toBe(false);
    expect(result.integration).toMatchObject({ status: 'connected', mode: 'test', keyHint: '…good' });
    expect(result.integration.permissions).toHaveLength(9);
    expect(JSON.stringify(result)).not.toContain(GOOD);
    expect(await everything()).not.toContain(GOOD);
    const client = await connectedStripeClient(fixture.store.db, owner.orgId, masterKey, env);
    await client.customers.list({ limit: 1 });
    expect(stripe.seenKeys.at(-1)).toBe(GOOD);
    await expect(connectedStripeClient(fixture.store.db, owner.orgId, randomBytes(32), env)).rejects.toThrow(
      /master key/,
    );
  });

  it('rotates and disconnects, each audited without the key', async () => {
    const owner = await fixture.member(OWNER);
    const rotated = await connectStripe(fixture.store.db, { member: owner, key: ROTATED, masterKey, env });
    expect(rotated.rotated).toBe(true);
    expect(rotated.integration.rotatedAt).toBeInstanceOf(Date);
    const client = await connectedStripeClient(fixture.store.db, owner.orgId, masterKey, env);
    await client.charges.list({ limit: 1 });
    expect(stripe.seenKeys.at(-1)).toBe(ROTATED);
    const gone = await disconnectStripe(fixture.store.db, owner);
    expect(gone.status).toBe('disconnected');
    const row = await fixture.store.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow();
    expect(row.keySealed).toBeNull();
    await expect(connectedStripeClient(fixture.store.db, owner.orgId, masterKey, env)).rejects.toMatchObject({
      code: 'not_found',
    });
    const events = await fixture.store.db
      .selectFrom('auditEvents')
      .select(['event', 'result'])
      .where('event', 'like', 'integration.%')
      .orderBy('seq')
      .execute();
    expect(events.map((event) => event.event)).toEqual([
      'integration.connected',
      'integration.connected',
      'integration.disconnected',
    ]);
    expect(JSON.stringify(events)).not.toContain(ROTATED);
    expect(JSON.stringify(events)).not.toContain(GOOD);
  });
});
