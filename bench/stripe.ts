/**
 * Stripe: the backfill's throughput against the offline fake holding a demo business, paced at Stripe's test-mode
 * rate limit (25 requests/s, enforced by the fake too), as a ratio to the bound that limit sets (the same requests
 * at exactly 25/s); and webhook ingestion over HTTP (signature check, event recorded once, mirror upsert) against
 * applying the same events directly.
 */
import { randomBytes } from 'node:crypto';
import { createDemoOrg } from '../src/auth/demo-members.ts';
import { findMemberByEmail } from '../src/auth/members.ts';
import { LedgerConnector } from '../src/connectors/ledger/ledger-connector.ts';
import { DEFAULT_RETRY, Pacer, STRIPE_RATE_LIMITS } from '../src/connectors/stripe/stripe-calls.ts';
import { stripeClient } from '../src/connectors/stripe/stripe-client.ts';
import { applyEvent, backfillStripe, type StripeEvent } from '../src/connectors/stripe/stripe-sync.ts';
import { generateDemo } from '../src/demo/generate-demo.ts';
import { connectStripe } from '../src/operations/integrations.ts';
import { openStore } from '../src/store/db.ts';
import { startStripeFake } from '../test/support/stripe-fake/index.ts';
import { startBenchServer } from './bench-server.ts';

/** What {@link measureStripe} reports. */
export interface StripeFigures {
  customers: number;
  objects: number;
  requests: number;
  seconds: number;
  rateLimit: number;
  /** Seconds the same requests take at exactly the rate limit. */
  boundSeconds: number;
  /** boundSeconds / seconds: 1.0 is the limit itself. */
  ratio: number;
  objectsPerSecond: number;
  /** 429s the fake answered (the pace should leave none). */
  rateLimited: number;
  webhook: { events: number; perSecond: number; concurrency: number; directPerSecond: number };
}

/** Backfills a demo business of `customers` from the fake and posts `events` webhooks. */
export async function measureStripe(customers = 300, events = 2_000): Promise<StripeFigures> {
  const store = await openStore({ dataDir: 'memory://' });
  const fake = await startStripeFake({ rateLimitPerSecond: STRIPE_RATE_LIMITS.test });
  try {
    const { org } = await createDemoOrg(store.db);
    await generateDemo(store, { orgId: org.id, customers, months: 12, seed: 'bench-stripe', endAt: new Date() });
    await fake.seedFromLedger(new LedgerConnector(store.db, org.id));
    const rate = STRIPE_RATE_LIMITS.test;
    const access = {
      stripe: stripeClient(fake.apiKey, { LEASH_STRIPE_API_BASE: fake.url }),
      calls: { pacer: new Pacer(rate), retry: DEFAULT_RETRY },
    };
    const before = fake.requests.length;
    const started = performance.now();
    const report = await backfillStripe(store.db, org.id, access);
    const seconds = (performance.now() - started) / 1000;
    const sent = fake.requests.slice(before);
    // The bound: n requests spaced 1/rate apart take (n − 1)/rate seconds after the first goes out.
    const boundSeconds = Math.max(sent.length - 1, 1) / rate;

    // Webhooks: a signed customer.updated per event, posted over HTTP, `concurrency` at a time.
    const masterKey = randomBytes(32);
    const owner = await findMemberByEmail(store.db, org.id, 'olivia@northwind.test');
    if (!owner) throw new Error('no owner');
    await connectStripe(store.db, {
      member: owner,
      key: fake.apiKey,
      masterKey,
      webhookSecret: fake.webhookSecret,
      env: { LEASH_STRIPE_API_BASE: fake.url },
    });
    const { app: server, url: base } = await startBenchServer(store, { masterKey });
    const url = `${base}/webhooks/stripe`;
    const customerObjects = fake.objects('customer');
    const now = Math.floor(Date.now() / 1000) + 60;
    const event = (index: number, prefix: string): StripeEvent & Record<string, unknown> => ({
      id: `evt_${prefix}_${index}_${randomBytes(3).toString('hex')}`,
      object: 'event',
      type: 'customer.updated',
      created: now + index,
      data: {
        object: { ...customerObjects[index % customerObjects.length], name: `Renamed ${index}` } as never,
      },
    });
    const concurrency = 8;
    const deliveries = Array.from({ length: events }, (_, index) => fake.signedWebhook(event(index, 'http')));
    let next = 0;
    const webhookStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < deliveries.length) {
          const delivery = deliveries[next++];
          if (!delivery) break;
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': delivery.header },
            body: delivery.payload,
          });
          if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
          await response.arrayBuffer();
        }
      }),
    );
    const webhookSeconds = (performance.now() - webhookStarted) / 1000;
    await server.close();
    const directStarted = performance.now();
    for (let index = 0; index < events; index++)
      await applyEvent(store.db, org.id, event(index + events, 'direct'), 'webhook');
    const directSeconds = (performance.now() - directStarted) / 1000;

    return {
      customers,
      objects: report.objects,
      requests: sent.length,
      seconds,
      rateLimit: rate,
      boundSeconds,
      ratio: boundSeconds / seconds,
      objectsPerSecond: report.objects / seconds,
      rateLimited: sent.filter((request) => request.status === 429).length,
      webhook: {
        events,
        perSecond: events / webhookSeconds,
        concurrency,
        directPerSecond: events / directSeconds,
      },
    };
  } finally {
    await fake.close();
    await store.close();
  }
}
