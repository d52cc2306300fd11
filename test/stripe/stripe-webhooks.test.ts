/**
 * Stripe's webhooks at /webhooks/stripe on a real server: signatures checked on the raw body with a tolerance of
 * 300 s (and at most 300 s ahead of our clock), each event id applied once, an event older than the state held changes nothing — and the signing
 * secret is kept sealed like the key.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { backfillStripe } from '../../src/connectors/stripe/stripe-sync.ts';
import { connectStripe } from '../../src/operations/integrations.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { accessSource, fakeAccess } from '../support/stripe-access.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

describe(`Stripe webhooks (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  let server: TestServer;
  let stripe: StripeConnector;
  let customerId: string;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    fixture = await openLeashFixture();
    fake = await startStripeFake();
    const created = fake.seed.customer({ name: 'Hooked Ltd', email: 'ap@hooked.test', address: { country: 'GB' } });
    customerId = created.id;
    await connectStripe(fixture.store.db, {
      member: await fixture.member(OWNER),
      key: fake.apiKey,
      masterKey,
      webhookSecret: fake.webhookSecret,
      env: { LEASH_STRIPE_API_BASE: fake.url },
    });
    await backfillStripe(fixture.store.db, fixture.orgId, fakeAccess(fake));
    stripe = new StripeConnector(fixture.store.db, fixture.orgId, accessSource(fakeAccess(fake)));
    server = await startTestServer(fixture, { masterKey });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await fixture?.close();
  });

  let sequence = 0;
  /** A `customer.updated` event for the test customer, `created` seconds from now. */
  function customerEvent(name: string, offsetSeconds: number) {
    sequence++;
    return {
      id: `evt_test_${sequence}_${randomBytes(4).toString('hex')}`,
      object: 'event',
      type: 'customer.updated',
      created: Math.floor(Date.now() / 1000) + offsetSeconds,
      livemode: false,
      api_version: '2026-10-28.endive',
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { ...fake.objects('customer').find((c) => c.id === customerId), name } },
    };
  }
  async function deliver(payload: string, header: string | undefined, path = '/webhooks/stripe') {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(header ? { 'stripe-signature': header } : {}) },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const nameNow = async () => (await stripe.getCustomer(customerId))?.name;

  it('applies a correctly signed event', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('Hooked Limited', 60));
    const answer = await deliver(payload, header);
    expect(answer).toMatchObject({ status: 200, body: { received: true, outcome: 'applied' } });
    expect(await nameNow()).toBe('Hooked Limited');
  });

  it('refuses a bad signature, a missing one and one signed with another secret; nothing changes', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('Forged Name', 120));
    const tampered = payload.replace('Forged Name', 'Forged Namf');
    expect((await deliver(tampered, header)).status).toBe(401);
    expect((await deliver(payload, undefined)).status).toBe(401);
    const other = fake.signedWebhook(customerEvent('Forged Name', 120), { secret: 'whsec_someoneelse0000000' });
    expect((await deliver(other.payload, other.header)).status).toBe(401);
    expect(await nameNow()).toBe('Hooked Limited');
  });

  it('refuses a signature older than 300 seconds (a replayed capture)', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('Stale Name', 180), {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    const answer = await deliver(payload, header);
    expect(answer.status).toBe(401);
    expect(String((answer.body.error as { message: string }).message)).toMatch(/timestamp|tolerance/i);
    expect(await nameNow()).toBe('Hooked Limited');
  });

  it('refuses a signature dated more than 300 seconds ahead (signed in advance), and audits it', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('Future Name', 190), {
      timestamp: Math.floor(Date.now() / 1000) + 3_600,
    });
    const answer = await deliver(payload, header);
    expect(answer.status).toBe(401);
    expect(String((answer.body.error as { message: string }).message)).toMatch(/ahead of this server's clock/);
    expect(await nameNow()).toBe('Hooked Limited');
    const refused = await fixture.store.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('event', '=', 'integration.webhook_refused')
      .execute();
    expect(refused).toHaveLength(1);
    expect(refused[0]?.result).toMatchObject({ provider: 'stripe', reason: 'future timestamp' });
    expect(refused[0]?.channel).toBe('webhook');
  });

  it('accepts a signature slightly ahead (clock skew within 300 seconds)', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('Hooked Skewed', 200), {
      timestamp: Math.floor(Date.now() / 1000) + 240,
    });
    expect(await deliver(payload, header)).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect(await nameNow()).toBe('Hooked Skewed');
  });

  it('applies a redelivered event once', async () => {
    const event = customerEvent('Hooked Once', 240);
    const first = fake.signedWebhook(event);
    expect((await deliver(first.payload, first.header)).body.outcome).toBe('applied');
    const again = fake.signedWebhook(event);
    expect((await deliver(again.payload, again.header)).body).toMatchObject({ outcome: 'duplicate' });
    const rows = await fixture.store.db.selectFrom('stripeEvents').selectAll().where('id', '=', event.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('never lets an older event overwrite newer state, whatever order they arrive in', async () => {
    const newer = customerEvent('Newest Name', 400);
    const older = customerEvent('Older Name', 300);
    const a = fake.signedWebhook(newer);
    expect((await deliver(a.payload, a.header)).body.outcome).toBe('applied');
    const b = fake.signedWebhook(older);
    expect((await deliver(b.payload, b.header)).body.outcome).toBe('stale');
    expect(await nameNow()).toBe('Newest Name');
  });

  it('takes deliveries for one org at /webhooks/stripe/<org id>; unknown orgs are refused', async () => {
    const { payload, header } = fake.signedWebhook(customerEvent('By Org Path', 500));
    expect((await deliver(payload, header, `/webhooks/stripe/${fixture.orgId}`)).body.outcome).toBe('applied');
    const other = fake.signedWebhook(customerEvent('Nowhere', 600));
    expect((await deliver(other.payload, other.header, '/webhooks/stripe/org_nope')).status).toBe(409);
    expect(await nameNow()).toBe('By Org Path');
  });

  it('keeps the signing secret sealed: not in the integrations row in clear, not in any audit event', async () => {
    const row = await fixture.store.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(fake.webhookSecret);
    const audit = await fixture.store.db.selectFrom('auditEvents').selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(fake.webhookSecret);
  });
});
