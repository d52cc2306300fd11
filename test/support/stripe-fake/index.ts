/**
 * A stateful Stripe fake on loopback for the Stripe connector's tests: the real `stripe` SDK talks to it
 * (LEASH_STRIPE_API_BASE = `fake.url`). Requests are validated against Stripe's OpenAPI spec, answers are built
 * from Stripe's example objects, webhooks are signed like Stripe's, and faults, timeouts and rate limits can be
 * injected.
 *
 * @example
 *   const fake = await startStripeFake({ now: new Date('2026-03-01T00:00:00Z') });
 *   const stripe = new Stripe(fake.apiKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
 *   fake.inject({ method: 'POST', path: '/v1/refunds', status: 500, afterEffect: true });
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { BillingConnector } from '../../../src/connectors/connector.ts';
import type { StripeObject } from './fixtures.ts';
import { type StripeFakeSeed, seeder } from './seed.ts';
import { seedFromLedger } from './seed-from-ledger.ts';
import { handleRequest, type Pipeline, type RecordedRequest } from './server.ts';
import { FakeState, type ObjectType } from './state.ts';
import { type Fault, FaultQueue, IdempotencyKeys, RateLimiter } from './traffic.ts';

export type { StripeFakeSeed } from './seed.ts';
export type { RecordedRequest } from './server.ts';
export type { Fault } from './traffic.ts';

/** How to start the fake. */
export interface StripeFakeOptions {
  /** The fake clock: frozen at this instant, moved only by `advance()` (default: the wall clock, plus `advance()`). */
  now?: Date;
  webhookSecret?: string;
  /** Requests a second (token bucket, burst = rate); default none. */
  rateLimitPerSecond?: number;
  /** `rak_*` permissions the key lacks: requests needing them get Stripe's 403. */
  missingPermissions?: string[];
}

/** The object types `objects()` answers. */
export type FakeObjectType = ObjectType;

/** A running fake. */
export interface StripeFake {
  /** `http://127.0.0.1:<port>`, for LEASH_STRIPE_API_BASE. */
  url: string;
  port: number;
  /** A restricted test key the fake accepts (any `rk_test_`/`rk_live_` key is accepted; others get a 401). */
  apiKey: string;
  webhookSecret: string;
  /** Every request, in order of answer. */
  requests: RecordedRequest[];
  /** Requests the spec refused (unknown path, unknown or invalid parameter): tests assert this stays empty. */
  invalidRequests: RecordedRequest[];
  /** Registers a fault; faults are consumed in order of registration. */
  inject(fault: Fault): void;
  /** The fake clock. */
  now(): Date;
  /** Moves the fake clock (idempotency keys expire after 24 h, events after 30 days). */
  advance(ms: number): void;
  /** The current state of every object of `type` (copies, newest first), for assertions. */
  objects(type: FakeObjectType): StripeObject[];
  /** Direct state creation (no validation), each recording its `*.created` event. */
  seed: StripeFakeSeed;
  /** Copies a Leash org into the fake, keeping Leash's ids. */
  seedFromLedger(reads: BillingConnector, options?: { customers?: number }): Promise<void>;
  /** A webhook payload and its `Stripe-Signature` header (now, wall clock), signed with the fake's secret unless told otherwise. */
  signedWebhook(event: object, options?: { timestamp?: number; secret?: string }): { payload: string; header: string };
  close(): Promise<void>;
}

/** Starts a fake on 127.0.0.1 (a free port). */
export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFake> {
  const state = new FakeState(options.now);
  const webhookSecret = options.webhookSecret ?? `whsec_${state.newId('x').slice(2)}`;
  const pipeline: Pipeline = {
    state,
    faults: new FaultQueue(),
    keys: new IdempotencyKeys(),
    limiter: options.rateLimitPerSecond ? new RateLimiter(options.rateLimitPerSecond) : null,
    missingPermissions: new Set(options.missingPermissions ?? []),
    requests: [],
    invalidRequests: [],
    timers: new Set(),
  };
  const server = createServer((request, response) => {
    handleRequest(pipeline, request, response).catch((error: unknown) => {
      console.error('stripe fake: request failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const seed = seeder(state);
  const signer = new Stripe('sk_test_webhook_signing_only');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey: `rk_test_${state.newId('x').slice(2)}${state.newId('x').slice(2)}`,
    webhookSecret,
    requests: pipeline.requests,
    invalidRequests: pipeline.invalidRequests,
    inject: (fault) => pipeline.faults.add(fault),
    now: () => state.now(),
    advance: (ms) => state.advance(ms),
    objects: (type) => state.all(type).map((object) => structuredClone(object)),
    seed,
    seedFromLedger: (reads, seedOptions) => seedFromLedger(seed, reads, seedOptions),
    signedWebhook(event, signOptions = {}) {
      const payload = JSON.stringify(event, null, 2);
      const header = signer.webhooks.generateTestHeaderString({
        payload,
        secret: signOptions.secret ?? webhookSecret,
        // Wall time by default: the receiver checks the signature's age against its own clock.
        timestamp: signOptions.timestamp ?? Math.floor(Date.now() / 1000),
      });
      return { payload, header };
    },
    close: () =>
      new Promise((resolve, reject) => {
        for (const timer of pipeline.timers) clearTimeout(timer);
        pipeline.timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
