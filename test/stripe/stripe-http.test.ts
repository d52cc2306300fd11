/**
 * A Stripe account run from the dashboard's API: the owner connects a restricted key (with the webhook signing
 * secret) and syncs over HTTP; from then on the same routes read the mirror and write through Stripe — a clerk's
 * refund, approved by finance, is made in Stripe once — and the audit chain still verifies.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, OWNER, openLeashFixture, READER } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

describe(`Stripe over the HTTP API (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  let server: TestServer;
  const saved = { ...process.env };
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    // The server opens the stored key with the process's master key and reaches "Stripe" at the fake.
    fake = await startStripeFake();
    process.env.LEASH_MASTER_KEY = randomBytes(32).toString('hex');
    process.env.LEASH_STRIPE_API_BASE = fake.url;
    process.env.LEASH_STRIPE_RATE_LIMIT = '1000';
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 8,
      months: 3,
      seed: 'http',
      endAt: new Date(),
    });
    await fake.seedFromLedger(new LedgerConnector(fixture.store.db, fixture.orgId));
    server = await startTestServer(fixture);
    for (const email of [OWNER, FINANCE, CLERK, READER]) tokens[email] = (await server.signIn(email)).token;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
    await fake?.close();
    for (const name of ['LEASH_MASTER_KEY', 'LEASH_STRIPE_API_BASE', 'LEASH_STRIPE_RATE_LIMIT']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('the owner connects with a webhook secret and syncs; then billing runs on Stripe', async () => {
    const connected = await server.call<{ integration: Record<string, unknown> }>('POST', '/api/integrations/stripe', {
      token: tokens[OWNER],
      body: { key: fake.apiKey, webhook_secret: fake.webhookSecret },
    });
    expect(connected.status).toBe(200);
    expect(connected.body.integration).toMatchObject({
      status: 'connected',
      mode: 'test',
      webhooks: true,
      billing: 'ledger',
    });
    expect(JSON.stringify(connected.body)).not.toContain(fake.apiKey);
    const clerkSync = await server.call('POST', '/api/integrations/stripe/sync', { token: tokens[CLERK], body: {} });
    expect(clerkSync.status).toBe(403);
    const synced = await server.call<{ sync: { billing: string; backfill: { objects: number } } }>(
      'POST',
      '/api/integrations/stripe/sync',
      { token: tokens[FINANCE], body: {} },
    );
    expect(synced.status).toBe(200);
    expect(synced.body.sync.billing).toBe('stripe');
    expect(synced.body.sync.backfill.objects).toBeGreaterThan(20);
    const status = await server.call<{ integration: Record<string, unknown> }>('GET', '/api/integrations/stripe', {
      token: tokens[READER],
    });
    expect(status.body.integration).toMatchObject({ billing: 'stripe' });
    expect(status.body.integration.lastSyncedAt).not.toBeNull();
  });

  it('a clerk’s refund over HTTP, approved by finance, is made in Stripe once; the chain verifies', async () => {
    const charge = fake
      .objects('charge')
      .find((c) => c.status === 'succeeded' && c.amount_refunded === 0 && (c.amount as number) > 1_000);
    if (!charge) throw new Error('no charge to refund');
    const proposed = await server.call<{ id: string; approval: { id: string }; preview: { summary: string } }>(
      'POST',
      '/api/operations/refund_charge',
      { token: tokens[CLERK], body: { charge_id: charge.id, amount: 600, reason: 'charged twice', case_id: 'T-77' } },
    );
    expect(proposed.status).toBe(201);
    expect(proposed.body.preview.summary).toContain(charge.id as string);
    const approved = await server.call<{ status: string }>(
      'POST',
      `/api/approvals/${proposed.body.approval.id}/approve`,
      { token: tokens[FINANCE], body: { reason: 'duplicate confirmed', confirm_text: 'CONFIRM' } },
    );
    expect(approved.body.status).toBe('succeeded');
    const refunds = fake.objects('refund').filter((refund) => refund.charge === charge.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]?.metadata).toMatchObject({ leash_proposal_id: proposed.body.id });
    const read = await server.call<{ charge: { amountRefunded: number } } & Record<string, unknown>>(
      'POST',
      '/api/operations/payment_history',
      { token: tokens[READER], body: { customer: charge.customer } },
    );
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain(charge.id as string);
    const verify = await server.call('GET', '/api/audit/verify', { token: tokens[READER] });
    expect(verify.body).toMatchObject({ ok: true });
  });
});
