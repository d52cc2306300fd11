/**
 * Leash's Stripe connector pointed at the offline fake: the real `stripe` SDK on loopback, quick retries, and a
 * pace well above the fake's (tests that measure pacing set their own).
 */
import { Pacer, type RetryPolicy } from '../../src/connectors/stripe/stripe-calls.ts';
import { stripeClient } from '../../src/connectors/stripe/stripe-client.ts';
import type { StripeAccess, StripeAccessSource } from '../../src/connectors/stripe/stripe-connector.ts';
import type { StripeFake } from './stripe-fake/index.ts';

/** Retries that keep tests fast: four attempts a few milliseconds apart. */
export const QUICK_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

/** Access to the fake with its own key, `perSecond` requests at most. */
export function fakeAccess(
  fake: StripeFake,
  options: { perSecond?: number; retry?: RetryPolicy; timeoutMs?: number } = {},
): StripeAccess {
  const stripe = stripeClient(
    fake.apiKey,
    { LEASH_STRIPE_API_BASE: fake.url },
    options.timeoutMs ? { timeoutMs: options.timeoutMs } : {},
  );
  return {
    stripe,
    calls: { pacer: new Pacer(options.perSecond ?? 2_000), retry: options.retry ?? QUICK_RETRY },
  };
}

/** The same access for every org and executor (what a connector's `source` takes). */
export const accessSource =
  (access: StripeAccess): StripeAccessSource =>
  async () =>
    access;
