/**
 * Where an org's Stripe secrets are kept: sealed in `integrations` (secrets/secret-box.ts opens them, in the
 * operations layer; a connector never holds the master key).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';

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
