/**
 * Shared by the webhook delivery tests over HTTP and in the browser: a real HTTP receiver on loopback whose
 * answer can be changed, an endpoint created through the pipeline (propose, confirm), refunds executed through the
 * pipeline (each one a `refund.created` event in the outbox), and the real deliverer driven with a short retry
 * policy until deliveries are dead-lettered.
 */
import { createServer, type Server } from 'node:http';
import { expect } from 'vitest';
import { approveRequest, confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { deliverDue, type RetryPolicy } from '../../src/webhooks/deliver.ts';
import { freePort } from '../support/free-port.ts';
import { CLERK, type LeashFixture, MANAGER, OWNER } from '../support/leash-fixture.ts';

/** Two attempts, ten seconds apart, then dead. */
export const SHORT_RETRIES: RetryPolicy = { maxAttempts: 2, backoffSeconds: 10 };

/** A loopback receiver answering `status` (change it with `answer`); counts what it received. */
export interface Receiver {
  url: string;
  received: number;
  answer(status: number): void;
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startReceiver(status: number): Promise<Receiver> {
  let current = status;
  const port = await freePort();
  const state = { received: 0 };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      state.received += 1;
      response.statusCode = current;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    get received() {
      return state.received;
    },
    answer(next) {
      current = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Lets endpoints on loopback (development), with a master key for their secrets; returns how to undo it. */
export function allowLoopbackEndpoints(): () => void {
  const previous = {
    LEASH_WEBHOOKS_ALLOW_PRIVATE: process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE,
    LEASH_MASTER_KEY: process.env.LEASH_MASTER_KEY,
  };
  process.env.LEASH_WEBHOOKS_ALLOW_PRIVATE = '1';
  process.env.LEASH_MASTER_KEY ??= 'webhook-deliveries-test-master-key-0123456789';
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Creates an endpoint for `events` through the pipeline: proposed by a billing manager and, when the policy asks
 * for a second person (WARN), approved by the owner, else confirmed; returns its id.
 */
export async function createEndpoint(
  fixture: LeashFixture,
  url: string,
  events: string[] = ['refund.created'],
): Promise<string> {
  const manager = await fixture.context(MANAGER);
  const proposal = await proposeOperation(manager, 'create_webhook_endpoint', {
    url,
    events,
    description: 'deliveries test',
    reason: 'wire refunds to the receiver',
    case_id: 'T-WHD',
  });
  expect(['pass', 'warn']).toContain(proposal.decision.outcome);
  const outcome =
    proposal.decision.outcome === 'warn'
      ? await approveRequest(await fixture.context(OWNER), proposal.approval?.id ?? '', { reason: 'test receiver' })
      : await confirmProposal(manager, proposal.id, { confirmText: 'CONFIRM' });
  expect(outcome.status).toBe('succeeded');
  return (outcome.result as { id: string }).id;
}

/** Executes a refund through the pipeline as a clerk: one `refund.created` event. */
export async function refund(fixture: LeashFixture, name?: string): Promise<void> {
  const { charge } = await fixture.paidCharge(3_000, 'usd', name);
  const clerk = await fixture.context(CLERK, { profile: 'caps' });
  const proposal = await proposeOperation(clerk, 'refund_charge', {
    charge_id: charge.id,
    amount: 1_000,
    reason: 'charged twice',
    case_id: 'T-R',
  });
  expect((await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' })).status).toBe('succeeded');
}

/** Runs the deliverer `rounds` times, each an hour after the last (past any backoff); returns the last time. */
export async function driveDeliveries(fixture: LeashFixture, rounds: number, from = Date.now()): Promise<number> {
  let now = from;
  for (let round = 0; round < rounds; round += 1) {
    await deliverDue(fixture.store.db, fixture.orgId, { now: new Date(now), policy: SHORT_RETRIES, timeoutMs: 2_000 });
    now += 3_600_000;
  }
  return now;
}
