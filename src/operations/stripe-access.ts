/**
 * How the Stripe connector reaches an org's account: the sealed restricted key opened under the master key
 * (secrets/secret-box.ts), a client for it, and one pace per org and mode at Stripe's rate limit (or
 * LEASH_STRIPE_RATE_LIMIT requests per second, to leave room for other clients of the account).
 */

import { STRIPE_KEY_PURPOSE, storedStripeConnection } from '../connectors/stripe/stored-key.ts';
import { DEFAULT_RETRY, Pacer, STRIPE_RATE_LIMITS } from '../connectors/stripe/stripe-calls.ts';
import type { StripeAccessSource } from '../connectors/stripe/stripe-connector.ts';
import { LeashError } from '../domain/errors.ts';
import { loadMasterKey, type MasterKey, openSecret } from '../secrets/secret-box.ts';

const pacers = new Map<string, Pacer>();

/** Access with the org's stored key under `masterKey` (default: LEASH_MASTER_KEY or the data dir's key file). */
export function storedStripeAccess(
  masterKey?: () => MasterKey,
  env: NodeJS.ProcessEnv = process.env,
): StripeAccessSource {
  return async (executor, orgId) => {
    const connection = await storedStripeConnection(executor, orgId);
    if (!connection) throw new LeashError('not_found', 'Stripe is not connected: run `leash connect stripe`');
    const key = openSecret((masterKey ?? loadMasterKey)(), connection.keySealed, {
      orgId,
      purpose: STRIPE_KEY_PURPOSE,
    });
    const rate = Number(env.LEASH_STRIPE_RATE_LIMIT) || STRIPE_RATE_LIMITS[connection.mode];
    const pace = `${orgId}:${connection.mode}:${rate}`;
    const pacer = pacers.get(pace) ?? new Pacer(rate);
    pacers.set(pace, pacer);
    // The SDK loads only when an org on Stripe first calls it.
    const { stripeClient } = await import('../connectors/stripe/stripe-client.ts');
    return { stripe: stripeClient(key, env), calls: { pacer, retry: DEFAULT_RETRY } };
  };
}
