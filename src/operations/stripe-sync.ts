/**
 * Syncing a connected Stripe account into the mirror, and receiving its webhooks. The first complete backfill
 * switches the org's operations to Stripe (`orgs.billing`); later syncs apply the Events API since the cursor,
 * and backfill again when the cursor is older than Stripe keeps events. Owners and billing managers sync; the
 * audit log records each sync's counts.
 */
import type { Kysely } from 'kysely';
import Stripe from 'stripe';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { Member } from '../auth/members.ts';
import { STRIPE_WEBHOOK_SECRET_PURPOSE, storedStripeConnection } from '../connectors/stripe/stored-key.ts';
import type { StripeAccessSource } from '../connectors/stripe/stripe-connector.ts';
import {
  applyEvent,
  type BackfillProgress,
  type BackfillReport,
  backfillStripe,
  type EventOutcome,
  type StripeEvent,
  syncStripeEvents,
} from '../connectors/stripe/stripe-sync.ts';
import { secondsAhead, WEBHOOK_FUTURE_SKEW_SECONDS } from '../connectors/stripe/webhook-timestamp.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { loadMasterKey, type MasterKey, openSecret } from '../secrets/secret-box.ts';
import type { Database } from '../store/schema.ts';
import { storedStripeAccess } from './stripe-access.ts';

export type { BackfillProgress };

/** What a sync did. */
export interface SyncReport {
  backfill: BackfillReport | null;
  events: number;
  eventsApplied: number;
  /** The Events API cursor was too old (or unknown to Stripe): everything was listed again. */
  resynced: boolean;
  billing: 'ledger' | 'stripe';
}

/** Signatures older than this are refused (Stripe's own default tolerance). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Backfills (first time, resumed, or `full`) and applies events since; switches the org to Stripe. */
export async function syncStripe(
  db: Kysely<Database>,
  member: Member,
  options: {
    full?: boolean;
    onProgress?: (progress: BackfillProgress) => void;
    access?: StripeAccessSource;
    /** A background sync: audited only when it brought something (a person's sync is always audited). */
    quiet?: boolean;
  } = {},
): Promise<SyncReport> {
  if (member.role !== 'owner' && member.role !== 'billing_manager')
    throw new LeashError('forbidden', 'only an owner or a billing manager syncs Stripe', { field: 'as' });
  const orgId = member.orgId;
  const access = await (options.access ?? storedStripeAccess())(db, orgId);
  const sync = await db.selectFrom('stripeSync').selectAll().where('orgId', '=', orgId).executeTakeFirst();
  let backfill: BackfillReport | null = null;
  let resynced = false;
  const run = (restart: boolean) =>
    backfillStripe(db, orgId, access, { restart, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  if (options.full || !sync?.backfillFinishedAt) backfill = await run(Boolean(options.full));
  let events = await syncStripeEvents(db, orgId, access);
  if (events.resync) {
    resynced = true;
    backfill = await run(true);
    events = await syncStripeEvents(db, orgId, access);
  }
  await db.updateTable('orgs').set({ billing: 'stripe' }).where('id', '=', orgId).execute();
  const report = {
    backfill,
    events: events.events,
    eventsApplied: events.applied,
    resynced,
    billing: 'stripe' as const,
  };
  if (options.quiet && !backfill && events.events === 0) return report;
  await appendAuditEvent(db, {
    orgId,
    event: 'integration.synced',
    actorId: member.id,
    actorEmail: member.email,
    actorRole: member.role,
    channel: 'cli',
    requestId: newId('request'),
    result: {
      provider: 'stripe',
      objects: backfill?.objects ?? 0,
      pages: backfill?.pages ?? 0,
      events: events.events,
      eventsApplied: events.applied,
      resynced,
    },
  });
  return report;
}

/** What a webhook delivery came to. */
export interface WebhookReceipt {
  eventId: string;
  type: string;
  outcome: EventOutcome;
}

/**
 * Verifies a delivery's signature with the org's signing secret (at most `WEBHOOK_TOLERANCE_SECONDS` old, at most
 * `WEBHOOK_FUTURE_SKEW_SECONDS` ahead) and applies the event once. A bad, stale or future-dated signature is
 * `unauthenticated` and changes nothing.
 */
export async function receiveStripeWebhook(
  db: Kysely<Database>,
  input: { orgId: string; payload: Buffer | string; signature: string | undefined; masterKey?: MasterKey },
): Promise<WebhookReceipt> {
  const connection = await storedStripeConnection(db, input.orgId);
  if (!connection?.webhookSecretSealed)
    throw new LeashError(
      'invalid_state',
      'no Stripe webhook signing secret is stored for this org: run `leash connect stripe --webhook-secret whsec_…`',
    );
  if (!input.signature) throw new LeashError('unauthenticated', 'missing Stripe-Signature header');
  const secret = openSecret(input.masterKey ?? loadMasterKey(), connection.webhookSecretSealed, {
    orgId: input.orgId,
    purpose: STRIPE_WEBHOOK_SECRET_PURPOSE,
  });
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(input.payload, input.signature, secret, WEBHOOK_TOLERANCE_SECONDS);
  } catch (error) {
    throw new LeashError(
      'unauthenticated',
      `Stripe webhook refused: ${error instanceof Error ? error.message.split('\n')[0] : 'bad signature'}`,
    );
  }
  await refuseFutureSignature(db, input.orgId, input.signature, event);
  const outcome = await applyEvent(db, input.orgId, event as unknown as StripeEvent, 'webhook');
  return { eventId: event.id, type: event.type, outcome };
}

/**
 * Refuses a correctly signed delivery dated too far ahead (the `stripe` library checks only the other side). Its
 * signature is good, so whoever sent it holds the signing secret (or the clocks are far apart): audited.
 */
async function refuseFutureSignature(
  db: Kysely<Database>,
  orgId: string,
  signature: string,
  event: Stripe.Event,
): Promise<void> {
  const ahead = secondsAhead(signature);
  if (ahead <= WEBHOOK_FUTURE_SKEW_SECONDS) return;
  const message = `Stripe webhook refused: the signature is dated ${ahead} s ahead of this server's clock (at most ${WEBHOOK_FUTURE_SKEW_SECONDS} s allowed)`;
  await appendAuditEvent(db, {
    orgId,
    event: 'integration.webhook_refused',
    channel: 'webhook',
    requestId: newId('request'),
    result: {
      provider: 'stripe',
      eventId: event.id,
      type: event.type,
      reason: 'future timestamp',
      secondsAhead: ahead,
    },
  });
  throw new LeashError('unauthenticated', message);
}

/** The org a bare `/webhooks/stripe` delivery belongs to: the one org with a webhook secret, if exactly one. */
export async function soleWebhookOrg(db: Kysely<Database>): Promise<string> {
  const rows = await db
    .selectFrom('integrations')
    .select('orgId')
    .where('provider', '=', 'stripe')
    .where('status', '=', 'connected')
    .where('webhookSecretSealed', 'is not', null)
    .execute();
  if (rows.length === 1 && rows[0]) return rows[0].orgId;
  throw new LeashError(
    'invalid_state',
    rows.length === 0
      ? 'Stripe is not connected with a webhook signing secret: nothing is accepted here'
      : 'several orgs receive Stripe webhooks: point each endpoint at /webhooks/stripe/<org id>',
  );
}
