/**
 * Outbound webhooks end to end on the ledger (issue 20 part 2): an endpoint is created through the pipeline, a
 * refund executed through the pipeline lands in the outbox in its own transaction, and a real HTTP receiver on
 * loopback verifies every delivery with the Standard Webhooks library. A 500 is retried after the backoff and the
 * 200 delivers; an endpoint nobody listens on ends dead-lettered; redelivery sends it again.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { deliverDue, type RetryPolicy } from '../../src/webhooks/deliver.ts';
import { listDeliveries, redeliver } from '../../src/webhooks/deliveries.ts';
import { freePort } from '../support/free-port.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A loopback receiver answering the given statuses in turn (the last one from then on). */
async function receiver(port: number, statuses: number[]): Promise<{ server: Server; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, received };
}

function verified(secret: string, delivery: Received): unknown {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(delivery.headers[name])]),
  );
  return new Webhook(secret).verify(delivery.body, headers);
}

const policy: RetryPolicy = { maxAttempts: 3, backoffSeconds: 10 };
const previousAllow = process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE;
const previousKey = process.env.LEASH_MASTER_KEY;

describe(`outbound webhooks (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  const servers: Server[] = [];
  beforeAll(async () => {
    process.env.LEASH_MASTER_KEY = 'webhook-test-master-key-0123456789abcdef';
    fixture = await openLeashFixture();
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await fixture.close();
    process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE = previousAllow;
    if (previousAllow === undefined) delete process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE;
    process.env.LEASH_MASTER_KEY = previousKey;
    if (previousKey === undefined) delete process.env.LEASH_MASTER_KEY;
  });

  async function createEndpoint(url: string): Promise<{ id: string; secret: string }> {
    const owner = await fixture.context(OWNER);
    const proposal = await proposeOperation(owner, 'create_webhook_endpoint', {
      url,
      events: ['refund.created'],
      description: 'onboarding',
      reason: 'wire refunds to onboarding',
      case_id: 'T-WH',
    });
    expect(proposal.decision.outcome).toBe('pass');
    expect(proposal.preview.changes).toEqual(
      expect.arrayContaining([
        { field: 'url', from: null, to: url },
        { field: 'events', from: null, to: 'refund.created' },
      ]),
    );
    const outcome = await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('succeeded');
    const result = outcome.result as { id: string; shownOnce?: { signingSecret: string } };
    expect(result.shownOnce?.signingSecret).toMatch(/^whsec_/);
    // Shown once: neither the stored result nor the audit log keeps the secret.
    const stored = await fixture.store.db
      .selectFrom('executions')
      .select('result')
      .where('proposalId', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.result)).not.toContain('whsec_');
    const audit = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 });
    expect(JSON.stringify(audit)).not.toContain(result.shownOnce?.signingSecret ?? 'whsec_');
    return { id: result.id, secret: result.shownOnce?.signingSecret ?? '' };
  }

  async function refund(): Promise<void> {
    const { charge } = await fixture.paidCharge(3_000);
    const clerk = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(clerk, 'refund_charge', {
      charge_id: charge.id,
      amount: 1_000,
      reason: 'charged twice',
      case_id: 'T-R',
    });
    expect((await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
  }

  it('refuses http, loopback and private URLs unless the environment allows them; clerks may not', async () => {
    delete process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE;
    const owner = await fixture.context(OWNER);
    for (const url of [
      'http://example.com/hooks',
      'https://127.0.0.1/hooks',
      'https://10.1.2.3/x',
      'https://[::1]/x',
      'https://localhost/x',
      'https://169.254.169.254/latest',
    ]) {
      const refused = await proposeOperation(owner, 'create_webhook_endpoint', {
        url,
        events: ['invoice.paid'],
        reason: 'r',
        case_id: 'T',
      }).catch((error: unknown) => error);
      expect(refused, url).toMatchObject({ code: 'bad_input' });
    }
    const clerk = await fixture.context(CLERK);
    const blocked = await proposeOperation(clerk, 'create_webhook_endpoint', {
      url: 'https://hooks.example.com/billing',
      events: ['invoice.paid'],
      reason: 'r',
      case_id: 'T',
    });
    expect(blocked.decision.outcome).toBe('block');
    expect(await fixture.store.db.selectFrom('webhookEndpoints').select('id').execute()).toHaveLength(0);
  });

  it('signs each delivery (verified with standardwebhooks), retries a 500 after the backoff, delivers on 200', async () => {
    process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE = '1';
    const port = await freePort();
    const { server, received } = await receiver(port, [500, 200]);
    servers.push(server);
    const endpoint = await createEndpoint(`http://127.0.0.1:${port}/hooks`);
    await refund();

    const start = new Date();
    const first = await deliverDue(fixture.store.db, fixture.orgId, { now: start, policy });
    expect(first.retrying).toHaveLength(1);
    expect(first.retrying[0]?.error).toContain('500');
    expect(received).toHaveLength(1);
    // Not due before the backoff has passed.
    await deliverDue(fixture.store.db, fixture.orgId, { now: new Date(start.getTime() + 5_000), policy });
    expect(received).toHaveLength(1);
    const second = await deliverDue(fixture.store.db, fixture.orgId, {
      now: new Date(start.getTime() + 11_000),
      policy,
    });
    expect(second.delivered).toHaveLength(1);
    expect(received).toHaveLength(2);

    for (const delivery of received) {
      const payload = verified(endpoint.secret, delivery) as { type: string; data: { amount: number } };
      expect(payload.type).toBe('refund.created');
      expect(payload.data.amount).toBe(1_000);
    }
    // The same event id on both attempts (receivers drop duplicates by it); a wrong secret does not verify.
    expect(received[0]?.headers['webhook-id']).toBe(received[1]?.headers['webhook-id']);
    expect(() =>
      verified(`whsec_${Buffer.from('not the secret').toString('base64')}`, received[1] as Received),
    ).toThrow();

    const [row] = await listDeliveries(fixture.store.db, fixture.orgId, { endpointId: endpoint.id });
    expect(row).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200, eventType: 'refund.created' });
  });

  it('dead-letters an endpoint nobody listens on after the last attempt; redelivery sends it again', async () => {
    process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE = '1';
    const port = await freePort();
    const dead = await createEndpoint(`http://127.0.0.1:${port}/down`);
    await refund();
    let now = Date.now();
    for (let attempt = 0; attempt < policy.maxAttempts; attempt += 1) {
      await deliverDue(fixture.store.db, fixture.orgId, { now: new Date(now), policy, timeoutMs: 2_000 });
      now += 3_600_000;
    }
    const [deadRow] = await listDeliveries(fixture.store.db, fixture.orgId, { endpointId: dead.id, state: 'dead' });
    expect(deadRow).toMatchObject({ state: 'dead', attempts: 3 });
    expect(deadRow?.lastError).toBeTruthy();
    // Dead stays dead: later runs do not post it.
    const { server, received } = await receiver(port, [200]);
    servers.push(server);
    await deliverDue(fixture.store.db, fixture.orgId, { now: new Date(now), policy });
    expect(received).toHaveLength(0);

    await redeliver(fixture.store.db, fixture.orgId, deadRow?.id ?? '');
    const report = await deliverDue(fixture.store.db, fixture.orgId, { policy });
    expect(report.delivered).toContain(deadRow?.id);
    expect(received).toHaveLength(1);
    expect(verified(dead.secret, received[0] as Received)).toMatchObject({ type: 'refund.created' });
    const [after] = await listDeliveries(fixture.store.db, fixture.orgId, { endpointId: dead.id });
    expect(after).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
