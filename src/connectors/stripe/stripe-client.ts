/**
 * The official Stripe client for a restricted key. LEASH_STRIPE_API_BASE (e.g. http://127.0.0.1:12111) points it
 * at any Stripe-compatible server (stripe-mock, the test fake). Network retries are Leash's to make (with the
 * proposal's idempotency key), so the SDK's own retries are off.
 */
import Stripe from 'stripe';
import { LeashError } from '../../domain/errors.ts';

/** A Stripe client for `key` (never logged); a request without an answer in `timeoutMs` (20 s) is retried. */
export function stripeClient(
  key: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { timeoutMs?: number } = {},
): Stripe {
  const base = env.LEASH_STRIPE_API_BASE;
  let endpoint: { host: string; port: number; protocol: 'http' | 'https' } | undefined;
  if (base) {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new LeashError('bad_input', `LEASH_STRIPE_API_BASE is not a URL: ${base}`, {
        field: 'LEASH_STRIPE_API_BASE',
      });
    }
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    endpoint = { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
  }
  return new Stripe(key, {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
    ...(endpoint ?? {}),
  });
}
