/** The org's sealed Stripe key, opened into a client (the key itself never leaves this module's call). */
import type { Kysely, Transaction } from 'kysely';
import type Stripe from 'stripe';
import { LeashError } from '../../domain/errors.ts';
import { type MasterKey, openSecret } from '../../secrets/secret-box.ts';
import type { Database } from '../../store/schema.ts';
import { stripeClient } from './stripe-client.ts';

/** The purpose a Stripe key is sealed for (associated data: it opens for nothing else). */
export const STRIPE_KEY_PURPOSE = 'stripe.restricted_key';
/** The purpose a webhook signing secret is sealed for. */
export const STRIPE_WEBHOOK_SECRET_PURPOSE = 'stripe.webhook_secret';

/** The org's connection as the connector needs it: mode and sealed secrets. */
export async function storedStripeConnection(
  db: Kysely<Database> | Transaction<Database>,
  orgId: string,
): Promise<{ mode: 'live' | 'test'; keySealed: string; webhookSecretSealed: string | null } | undefined> {
  const row = await db
    .selectFrom('integrations')
    .select(['keySealed', 'status', 'mode', 'webhookSecretSealed'])
    .where('orgId', '=', orgId)
    .where('provider', '=', 'stripe')
    .executeTakeFirst();
  if (row?.status !== 'connected' || !row.keySealed) return undefined;
  return { mode: row.mode ?? 'test', keySealed: row.keySealed, webhookSecretSealed: row.webhookSecretSealed };
}

/** A Stripe client with the org's stored key. */
export async function openStripeClient(
  db: Kysely<Database> | Transaction<Database>,
  orgId: string,
  masterKey: MasterKey,
  env?: NodeJS.ProcessEnv,
): Promise<{ stripe: Stripe; mode: 'live' | 'test' }> {
  const connection = await storedStripeConnection(db, orgId);
  if (!connection) throw new LeashError('not_found', 'Stripe is not connected: run `leash connect stripe`');
  const key = openSecret(masterKey, connection.keySealed, { orgId, purpose: STRIPE_KEY_PURPOSE });
  return { stripe: stripeClient(key, env), mode: connection.mode };
}
