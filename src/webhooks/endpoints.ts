/**
 * The org's webhook endpoints: created, changed and deleted only by the webhook operations' `execute` (after the
 * gate and the confirm), read by the deliverer and the listings. The signing secret (`whsec_…`, Standard Webhooks)
 * is made here, sealed under the master key for this org and endpoint (src/secrets), and handed back once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { notFound } from '../domain/errors.ts';
import { ID_PREFIXES } from '../domain/ids.ts';
import { loadMasterKey, type MasterKey, openSecret, sealSecret } from '../secrets/secret-box.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** An endpoint as listings and operations show it (never its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
  disabled: boolean;
  /** Who delivers to it: Leash (signed with the secret Leash keeps sealed) or Stripe (an endpoint made in Stripe). */
  host: 'leash' | 'stripe';
  createdAt: string;
}

function purposeOf(endpointId: string): string {
  return `webhook-secret:${endpointId}`;
}

/** The endpoint id an execution creates: derived from its idempotency key, so a retried execution finds it. */
export function endpointIdFor(idempotencyKey: string): string {
  return `${ID_PREFIXES.webhookEndpoint}_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

function toEndpoint(row: {
  id: string;
  url: string;
  events: string[];
  description: string;
  disabled: boolean;
  host: 'leash' | 'stripe';
  createdAt: Date;
}): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    disabled: row.disabled,
    host: row.host,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** A live (not deleted) endpoint of the org, or undefined. */
export async function findEndpoint(db: Executor, orgId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .selectFrom('webhookEndpoints')
    .select(['id', 'url', 'events', 'description', 'disabled', 'host', 'createdAt'])
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .executeTakeFirst();
  return row ? toEndpoint(row) : undefined;
}

/** The org's live endpoints, oldest first. */
export async function listEndpoints(db: Executor, orgId: string): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom('webhookEndpoints')
    .select(['id', 'url', 'events', 'description', 'disabled', 'host', 'createdAt'])
    .where('orgId', '=', orgId)
    .where('deletedAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(toEndpoint);
}

/** What creating an endpoint returns: the endpoint, and its secret only the first time. */
export interface CreatedEndpoint {
  endpoint: WebhookEndpoint;
  /** The signing secret, shown once; absent when a retried execution found the endpoint already made. */
  signingSecret?: string;
}

/** Creates an endpoint with a new signing secret (once per idempotency key). */
export async function createEndpoint(
  db: Executor,
  orgId: string,
  input: { url: string; events: string[]; description?: string | undefined },
  idempotencyKey: string,
  masterKey: MasterKey = loadMasterKey(),
): Promise<CreatedEndpoint> {
  const id = endpointIdFor(idempotencyKey);
  const existing = await findEndpoint(db, orgId, id);
  if (existing) return { endpoint: existing };
  const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const now = new Date();
  await db
    .insertInto('webhookEndpoints')
    .values({
      id,
      orgId,
      url: input.url,
      events: JSON.stringify(input.events),
      description: input.description ?? '',
      secretSealed: sealSecret(masterKey, signingSecret, { orgId, purpose: purposeOf(id) }),
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  const endpoint = await findEndpoint(db, orgId, id);
  if (!endpoint) throw notFound('webhook endpoint', id);
  return { endpoint, signingSecret };
}

/**
 * Records an endpoint Stripe hosts (created in Stripe by the same execution), under Stripe's id. No secret is kept:
 * Stripe signs its deliveries and the receiver verifies them. A retried execution finds the row already there.
 */
export async function recordHostedEndpoint(
  db: Executor,
  orgId: string,
  input: { id: string; url: string; events: string[]; description?: string | undefined },
): Promise<WebhookEndpoint> {
  const now = new Date();
  await db
    .insertInto('webhookEndpoints')
    .values({
      id: input.id,
      orgId,
      url: input.url,
      events: JSON.stringify(input.events),
      description: input.description ?? '',
      secretSealed: null,
      host: 'stripe',
      createdAt: now,
      updatedAt: now,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  const endpoint = await findEndpoint(db, orgId, input.id);
  if (!endpoint) throw notFound('webhook endpoint', input.id);
  return endpoint;
}

/** Changes an endpoint's URL, events, description or disabled flag. */
export async function updateEndpoint(
  db: Executor,
  orgId: string,
  id: string,
  changes: {
    url?: string | undefined;
    events?: string[] | undefined;
    description?: string | undefined;
    disabled?: boolean | undefined;
  },
): Promise<WebhookEndpoint> {
  await db
    .updateTable('webhookEndpoints')
    .set({
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.events !== undefined ? { events: JSON.stringify(changes.events) } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
      updatedAt: new Date(),
    })
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .execute();
  const endpoint = await findEndpoint(db, orgId, id);
  if (!endpoint) throw notFound('webhook endpoint', id);
  return endpoint;
}

/** Deletes an endpoint (kept with deleted_at; its pending deliveries stop). Deleting twice is a no-op. */
export async function deleteEndpoint(db: Executor, orgId: string, id: string): Promise<{ id: string; deleted: true }> {
  await db
    .updateTable('webhookEndpoints')
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .execute();
  return { id, deleted: true };
}

/** The endpoint's signing secret, opened for signing a delivery. */
export function openEndpointSecret(masterKey: MasterKey, orgId: string, endpointId: string, sealed: string): string {
  return openSecret(masterKey, sealed, { orgId, purpose: purposeOf(endpointId) });
}
