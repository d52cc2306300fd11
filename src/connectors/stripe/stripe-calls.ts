/**
 * Every Stripe request goes through here: paced on the client side (Stripe allows about 25 requests per second
 * in test mode and 100 live), retried when Stripe says it may be (429, 409 idempotency key in use, 5xx,
 * timeouts and lost connections) with the same idempotency key and a backoff, and otherwise turned into a
 * LeashError a person can act on (a missing `rak_*` permission names itself).
 */
import type Stripe from 'stripe';
import { LeashError } from '../../domain/errors.ts';

/** Requests per second Stripe allows, by mode. */
export const STRIPE_RATE_LIMITS = { test: 25, live: 100 } as const;

/** How calls are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff; doubled each retry (with jitter), at most `maxDelayMs`; a 429's Retry-After wins. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Five attempts over about eight seconds. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 4_000 };

/** Spaces requests at most `perSecond` apart (no burst), shared by everything one org sends. */
export class Pacer {
  private next = 0;
  constructor(readonly perSecond: number) {}

  /** Waits for the next slot. */
  async wait(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next);
    this.next = slot + 1000 / this.perSecond;
    if (slot > now) await sleep(slot - now);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The SDK loads with the first call, not with this module: a process on the ledger never pays for it.
let stripeErrors: typeof Stripe.errors | undefined;

async function loadStripeErrors(): Promise<typeof Stripe.errors> {
  stripeErrors ??= (await import('stripe')).default.errors;
  return stripeErrors;
}

/** Stripe's error, when `error` is one. */
function stripeError(error: unknown): Stripe.errors.StripeError | undefined {
  return stripeErrors && error instanceof stripeErrors.StripeError ? error : undefined;
}

/** Whether Stripe says trying again (with the same key) may succeed. */
function isRetryable(error: unknown): boolean {
  const failure = stripeError(error);
  if (!failure) return false;
  if (stripeErrors && failure instanceof stripeErrors.StripeConnectionError) return true;
  if (failure.headers?.['stripe-should-retry'] === 'false') return false;
  const status = failure.statusCode ?? 0;
  return status === 429 || status === 409 || status >= 500 || failure.headers?.['stripe-should-retry'] === 'true';
}

/** A final refusal by Stripe as a LeashError; anything else is returned as it was. */
function leashErrorOf(error: unknown, what: string): unknown {
  const failure = stripeError(error);
  if (!failure || isRetryable(error)) return error;
  const said = failure.message.replace(/\s+/g, ' ').trim();
  const details = { provider: 'stripe', stripeCode: failure.code ?? null, requestId: failure.requestId ?? null };
  switch (failure.statusCode) {
    case 403: {
      const permission = /\brak_[a-z_]+\b/.exec(said)?.[0];
      return new LeashError(
        'forbidden',
        `Stripe refused to ${what}: the restricted key lacks ${permission ?? 'a permission'}. Add it to the key in the Stripe dashboard (Developers → API keys) and run \`leash connect stripe\` again.`,
        { ...details, permission: permission ?? null },
      );
    }
    case 401:
      return new LeashError(
        'provider_error',
        `Stripe no longer accepts the stored key (${said}); connect a new restricted key with \`leash connect stripe\``,
        details,
      );
    case 402:
      return new LeashError('invalid_state', `Stripe could not ${what}: ${said}`, details);
    case 404:
      return new LeashError('not_found', `Stripe could not ${what}: ${said}`, details);
    default:
      return new LeashError('invalid_state', `Stripe refused to ${what}: ${said}`, details);
  }
}

function backoff(policy: RetryPolicy, attempt: number, error: unknown): number {
  const retryAfter = Number(stripeError(error)?.headers?.['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, policy.maxDelayMs);
  const exponential = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return exponential / 2 + Math.random() * (exponential / 2);
}

/** What the calls of one org share: the pace and the retry policy. */
export interface CallOptions {
  pacer: Pacer;
  retry: RetryPolicy;
}

/**
 * Makes one Stripe request (`call` must send the same idempotency key each time it is invoked). A final
 * refusal throws a LeashError; when every attempt failed on something retryable the last error is thrown as
 * it is (an infrastructure failure: an execution stays `executing`, and recovery repeats it with the same key).
 */
export async function callStripe<T>(options: CallOptions, what: string, call: () => Promise<T>): Promise<T> {
  await loadStripeErrors();
  for (let attempt = 1; ; attempt++) {
    await options.pacer.wait();
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error)) throw leashErrorOf(error, what);
      if (attempt >= options.retry.attempts) throw error;
      await sleep(backoff(options.retry, attempt, error));
    }
  }
}
