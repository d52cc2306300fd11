/**
 * Outbound webhooks end to end on the ledger (issue 20 part 2): an endpoint is created through the pipeline, a
 * refund executed through the pipeline lands in the outbox in its own transaction, and a real HTTP receiver on
 * loopback verifies every delivery with the Standard Webhooks library. A 500 is retried after the backoff and the
 * 200 delivers; an endpoint nobody listens on ends dead-lettered; redelivery sends it again. Creating an endpoint,
 * or changing its URL or events, needs a second person (approve.webhook); deleting it does not. Each delivery
 * resolves the host again and connects to the checked address only: a name that now answers a private address is
 * refused before any connection (DNS rebinding).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { approveRequest, confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { deliverDue, fanOutEvents, type RetryPolicy } from '../../src/webhooks/deliver.ts';
import { listDeliveries, redeliver } from '../../src/webhooks/deliveries.ts';
import type { HostResolver } from '../../src/webhooks/endpoint-url.ts';
import { freePort } from '../support/free-port.ts';
import { CLERK, type LeashFixture, MANAGER, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
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

  /** Proposed by max (billing manager), approved by olivia (owner): a second person, as approve.webhook asks. */
  async function createEndpoint(url: string): Promise<{ id: string; secret: string }> {
    const manager = await fixture.context(MANAGER);
    const owner = await fixture.context(OWNER);
    const proposal = await proposeOperation(manager, 'create_webhook_endpoint', {
      url,
      events: ['refund.created'],
      description: 'onboarding',
      reason: 'wire refunds to onboarding',
      case_id: 'T-WH',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('approve.webhook');
    expect(proposal.preview.changes).toEqual(
      expect.arrayContaining([
        { field: 'url', from: null, to: url },
        { field: 'events', from: null, to: 'refund.created' },
      ]),
    );
    const outcome = await approveRequest(owner, proposal.approval?.id ?? '', { reason: 'onboarding needs it' });
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
  it("a second person signs: max proposes (WARN), max cannot approve it, olivia's approval executes it once", async () => {
    delete process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE;
    const manager = await fixture.context(MANAGER);
    const owner = await fixture.context(OWNER);
    const count = async () =>
      (await fixture.store.db.selectFrom('webhookEndpoints').select('id').where('deletedAt', 'is', null).execute())
        .length;
    const before = await count();
    const proposal = await proposeOperation(manager, 'create_webhook_endpoint', {
      url: 'https://crm.example.com/hooks/billing',
      events: ['invoice.paid', 'customer.updated'],
      reason: 'sync paid invoices to the CRM',
      case_id: 'T-WH-2',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.find((reason) => reason.policyId === 'approve.webhook')?.message).toMatch(
      /outside URL; an owner or a billing manager must approve/,
    );
    expect(await count()).toBe(before);
    const own = await approveRequest(manager, proposal.approval?.id ?? '', { reason: 'mine' }).catch(
      (error: unknown) => error,
    );
    expect(own).toMatchObject({ code: 'blocked', details: { policyId: 'approval.self' } });
    expect(await count()).toBe(before);

    const approved = await approveRequest(owner, proposal.approval?.id ?? '', { reason: 'CRM sync agreed' });
    expect(approved.status).toBe('succeeded');
    const again = await approveRequest(owner, proposal.approval?.id ?? '', { reason: 'twice' }).catch(
      (error: unknown) => error,
    );
    expect(again).toBeInstanceOf(Error);
    expect(await count()).toBe(before + 1);
    const id = (approved.result as { id: string }).id;

    // Changing only the description passes; changing the events asks a second person again; deleting passes.
    const described = await proposeOperation(manager, 'update_webhook_endpoint', {
      endpoint_id: id,
      description: 'CRM sync',
      reason: 'label it',
      case_id: 'T-WH-2',
    });
    expect(described.decision.outcome).toBe('pass');
    const widened = await proposeOperation(manager, 'update_webhook_endpoint', {
      endpoint_id: id,
      events: ['invoice.paid', 'customer.updated', 'refund.created'],
      reason: 'refunds too',
      case_id: 'T-WH-2',
    });
    expect(widened.decision.outcome).toBe('warn');
    expect(widened.decision.reasons.map((reason) => reason.policyId)).toContain('approve.webhook_change');
    const deleted = await proposeOperation(manager, 'delete_webhook_endpoint', {
      endpoint_id: id,
      reason: 'CRM retired',
      case_id: 'T-WH-2',
    });
    expect(deleted.decision.outcome).toBe('pass');
    expect((await confirmProposal(manager, deleted.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
    expect(await count()).toBe(before);
  });

  it('DNS rebinding: a public-looking name that now resolves to a private address is refused, no connection made', async () => {
    delete process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE;
    // A plain TCP listener on loopback counts connection attempts to it.
    let connections = 0;
    const listener: TcpServer = createTcpServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      const endpoint = await createEndpoint(`https://hooks.rebind-test.example.com:${port}/billing`);
      await refund();
      const asked: string[] = [];
      // The name passed the check when it was proposed; now it answers loopback, then the cloud metadata address.
      const rebinding =
        (address: string): HostResolver =>
        async (hostname) => {
          asked.push(hostname);
          return [{ address, family: 4 }];
        };
      // Earlier tests' endpoints get the refund too; only this endpoint's delivery is looked at.
      await fanOutEvents(fixture.store.db, fixture.orgId);
      const [mine] = await listDeliveries(fixture.store.db, fixture.orgId, { endpointId: endpoint.id });
      const ours = (report: { retrying: { id: string; error: string }[] }) =>
        report.retrying.filter((entry) => entry.id === mine?.id);
      const first = await deliverDue(fixture.store.db, fixture.orgId, { policy, resolve: rebinding('127.0.0.1') });
      expect(asked).toEqual(['hooks.rebind-test.example.com']);
      expect(ours(first)).toHaveLength(1);
      expect(ours(first)[0]?.error).toMatch(/resolves to 127\.0\.0\.1, which is not a public address/);
      expect(connections).toBe(0);
      const [row] = await listDeliveries(fixture.store.db, fixture.orgId, { endpointId: endpoint.id });
      expect(row).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null });
      expect(row?.lastError).toMatch(/127\.0\.0\.1.*not a public address/);

      const later = new Date(Date.now() + 3_600_000);
      const metadata = await deliverDue(fixture.store.db, fixture.orgId, {
        now: later,
        policy,
        resolve: rebinding('169.254.169.254'),
      });
      expect(ours(metadata)[0]?.error).toMatch(/169\.254\.169\.254, which is not a public address/);
      expect(connections).toBe(0);

      // The connection goes to the address the check saw: with private addresses allowed, the same name is
      // posted to 127.0.0.1 (the listener counts it), although no real DNS answers that name.
      const allowed = await deliverDue(fixture.store.db, fixture.orgId, {
        now: new Date(later.getTime() + 3_600_000),
        policy,
        allowPrivate: true,
        resolve: rebinding('127.0.0.1'),
      });
      expect(allowed.dead).toContain(mine?.id); // the TLS handshake with a plain TCP listener fails: third attempt
      expect(connections).toBe(1);
    } finally {
      listener.close();
    }
  });

  it('refuses IPv6 forms of private addresses: mapped, NAT64, ULA, link-local, and a name answering any of them', async () => {
    const { isNonPublicAddress, vetDeliveryAddress } = await import('../../src/webhooks/endpoint-url.ts');
    for (const address of [
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      '2002:a00:1::1',
      'fd00:ec2::254',
      'fe80::1',
      '::1',
      '::',
      '10.0.0.5',
      '100.64.1.1',
      '169.254.169.254',
    ])
      expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])
      expect(isNonPublicAddress(address), address).toBe(false);
    const mixed = await vetDeliveryAddress('https://hooks.example.org/x', {
      allowPrivate: false,
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: 'fd12:3456::1', family: 6 },
      ],
    });
    expect(mixed).toEqual({ ok: false, problem: expect.stringMatching(/fd12:3456::1, which is not a public address/) });
    const unresolved = await vetDeliveryAddress('https://hooks.example.org/x', {
      allowPrivate: false,
      resolve: async () => {
        throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
      },
    });
    expect(unresolved).toEqual({ ok: false, problem: 'hooks.example.org could not be resolved (ENOTFOUND)' });
  });
});
