/**
 * Delivers the webhook outbox. `fanOutEvents` turns each new billing event into one pending delivery per live
 * endpoint subscribed to its type; `deliverDue` posts each delivery whose next attempt is due, signed as the
 * Standard Webhooks spec says (`standardwebhooks`: webhook-id, webhook-timestamp, webhook-signature). A 2xx answer
 * delivers it; anything else (an error status, a refused connection, a timeout, a redirect) schedules the next
 * attempt with exponential backoff, until `maxAttempts`, after which the delivery is dead-lettered and waits for
 * a person to redeliver it. Each attempt is counted before it is made (a conditional update), so two workers
 * never post the same attempt and a crash never hides one. The webhook-id is the event id, the same on every
 * attempt, so receivers can drop duplicates. Before each attempt the endpoint's host is resolved and every address
 * checked; the post then connects to the checked address only (pinned-post.ts), so DNS cannot rebind in between.
 * Endpoints Stripe hosts (an org on Stripe) are Stripe's to deliver to and get no deliveries here.
 */
import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { newId } from '../domain/ids.ts';
import { loadMasterKey, type MasterKey } from '../secrets/secret-box.ts';
import type { Database } from '../store/schema.ts';
import { type HostResolver, vetDeliveryAddress } from './endpoint-url.ts';
import { openEndpointSecret } from './endpoints.ts';
import { postPinned } from './pinned-post.ts';

/** How deliveries are retried (LEASH_WEBHOOK_MAX_ATTEMPTS, LEASH_WEBHOOK_BACKOFF_SECONDS). */
export interface RetryPolicy {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** The wait after the first failed attempt; each later wait doubles, up to six hours. */
  backoffSeconds: number;
}

/** The retry policy from the environment: 8 attempts, 30 s doubling (about two hours in all) by default. */
export function retryPolicyFromEnvironment(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const attempts = Number(env.LEASH_WEBHOOK_MAX_ATTEMPTS ?? 8);
  const backoff = Number(env.LEASH_WEBHOOK_BACKOFF_SECONDS ?? 30);
  return {
    maxAttempts: Number.isInteger(attempts) && attempts >= 1 && attempts <= 50 ? attempts : 8,
    backoffSeconds: Number.isFinite(backoff) && backoff >= 0 && backoff <= 86_400 ? backoff : 30,
  };
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.backoffSeconds * 2 ** Math.max(0, attempts - 1), 6 * 3600) * 1000;
}

/** Turns new events into pending deliveries for the endpoints subscribed to them; returns how many. */
export async function fanOutEvents(db: Kysely<Database>, orgId: string, now = new Date()): Promise<number> {
  const events = await db
    .selectFrom('webhookEvents')
    .select(['id', 'type'])
    .where('orgId', '=', orgId)
    .where('fannedOut', '=', false)
    .orderBy('createdAt')
    .limit(500)
    .execute();
  if (events.length === 0) return 0;
  const endpoints = await db
    .selectFrom('webhookEndpoints')
    .select(['id', 'events'])
    .where('orgId', '=', orgId)
    .where('deletedAt', 'is', null)
    .where('disabled', '=', false)
    .where('host', '=', 'leash')
    .execute();
  let made = 0;
  for (const event of events) {
    const targets = endpoints.filter((endpoint) => endpoint.events.includes(event.type));
    await db.transaction().execute(async (trx) => {
      if (targets.length > 0)
        await trx
          .insertInto('webhookDeliveries')
          .values(
            targets.map((endpoint) => ({
              id: newId('webhookDelivery'),
              orgId,
              endpointId: endpoint.id,
              eventId: event.id,
              state: 'pending' as const,
              nextAttemptAt: now,
              lastStatus: null,
              lastError: null,
              createdAt: now,
            })),
          )
          .onConflict((conflict) => conflict.columns(['endpointId', 'eventId']).doNothing())
          .execute();
      await trx.updateTable('webhookEvents').set({ fannedOut: true }).where('id', '=', event.id).execute();
    });
    made += targets.length;
  }
  return made;
}

/** How one delivery run went. */
export interface WebhookRunReport {
  delivered: string[];
  retrying: { id: string; attempts: number; error: string }[];
  dead: string[];
}

/** What `deliverDue` runs with (tests pass a clock and a short timeout). */
export interface DeliverOptions {
  now?: Date;
  masterKey?: MasterKey;
  policy?: RetryPolicy;
  timeoutMs?: number;
  limit?: number;
  /** Resolves endpoint host names (default: the system resolver); tests inject one. */
  resolve?: HostResolver;
  /** Allow http and private addresses (default: LEASH_WEBHOOKS_ALLOW_PRIVATE=1). */
  allowPrivate?: boolean;
}

/** Posts one signed event to the vetted address; returns the HTTP status, or throws on a network failure. */
async function post(
  url: string,
  target: { address: string; family: 4 | 6 },
  secret: string,
  event: { id: string; type: string; data: unknown; createdAt: Date },
  now: Date,
  timeoutMs: number,
): Promise<number> {
  const body = JSON.stringify({
    type: event.type,
    timestamp: new Date(event.createdAt).toISOString(),
    data: event.data,
  });
  const signature = new Webhook(secret).sign(event.id, now, body);
  return postPinned(url, target, {
    timeoutMs,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Leash-Webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  });
}

/** Fans out new events, then makes every due attempt of the org's pending deliveries. */
export async function deliverDue(
  db: Kysely<Database>,
  orgId: string,
  options: DeliverOptions = {},
): Promise<WebhookRunReport> {
  const now = options.now ?? new Date();
  const policy = options.policy ?? retryPolicyFromEnvironment();
  const report: WebhookRunReport = { delivered: [], retrying: [], dead: [] };
  await fanOutEvents(db, orgId, now);
  const due = await db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
    .innerJoin('webhookEvents as v', 'v.id', 'd.eventId')
    .select(['d.id', 'd.attempts', 'e.id as endpointId', 'e.url', 'e.secretSealed', 'e.deletedAt', 'e.disabled'])
    .select('e.host')
    .select(['v.id as eventId', 'v.type', 'v.data', 'v.createdAt'])
    .where('d.orgId', '=', orgId)
    .where('d.state', '=', 'pending')
    .where('d.nextAttemptAt', '<=', now)
    .orderBy('d.nextAttemptAt')
    .limit(options.limit ?? 100)
    .execute();
  let masterKey = options.masterKey;
  for (const delivery of due) {
    if (delivery.deletedAt || delivery.disabled || delivery.host !== 'leash' || !delivery.secretSealed) continue;
    const sealed = delivery.secretSealed;
    const attempts = delivery.attempts + 1;
    const claimed = await db
      .updateTable('webhookDeliveries')
      .set({ attempts })
      .where('id', '=', delivery.id)
      .where('state', '=', 'pending')
      .where('attempts', '=', delivery.attempts)
      .returning('id')
      .executeTakeFirst();
    if (!claimed) continue; // another worker took this attempt
    let status: number | null = null;
    let error: string | null = null;
    try {
      const vetted = await vetDeliveryAddress(delivery.url, {
        ...(options.allowPrivate !== undefined ? { allowPrivate: options.allowPrivate } : {}),
        ...(options.resolve ? { resolve: options.resolve } : {}),
      });
      if (!vetted.ok) throw new Error(vetted.problem);
      masterKey ??= loadMasterKey();
      const secret = openEndpointSecret(masterKey, orgId, delivery.endpointId, sealed);
      status = await post(
        delivery.url,
        vetted,
        secret,
        { id: delivery.eventId, type: delivery.type, data: delivery.data, createdAt: delivery.createdAt },
        now,
        options.timeoutMs ?? 10_000,
      );
      if (status < 200 || status > 299) error = `the endpoint answered ${status}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message.slice(0, 500) : 'the request failed';
    }
    if (error === null) {
      await db
        .updateTable('webhookDeliveries')
        .set({ state: 'delivered', lastStatus: status, lastError: null, deliveredAt: now })
        .where('id', '=', delivery.id)
        .execute();
      report.delivered.push(delivery.id);
    } else if (attempts >= policy.maxAttempts) {
      await db
        .updateTable('webhookDeliveries')
        .set({ state: 'dead', lastStatus: status, lastError: error })
        .where('id', '=', delivery.id)
        .execute();
      report.dead.push(delivery.id);
    } else {
      const nextAttemptAt = new Date(now.getTime() + backoffMs(policy, attempts));
      await db
        .updateTable('webhookDeliveries')
        .set({ lastStatus: status, lastError: error, nextAttemptAt })
        .where('id', '=', delivery.id)
        .execute();
      report.retrying.push({ id: delivery.id, attempts, error });
    }
  }
  return report;
}
