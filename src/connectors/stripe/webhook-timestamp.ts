/**
 * The other half of a Stripe signature's time check. The `stripe` library refuses a signature older than its
 * tolerance but accepts one dated any time in the future, so a delivery signed ahead of time (a leaked secret, a
 * capture replayed later, a sender's clock far off) would pass. Leash refuses one dated more than a small skew
 * ahead of its own clock.
 */

/** How far ahead of this server's clock a signature's timestamp may be (clock skew between Stripe and us). */
export const WEBHOOK_FUTURE_SKEW_SECONDS = 300;

/**
 * The timestamp (`t=`) a `Stripe-Signature` header was signed at, read as the `stripe` library reads it (the
 * last `t=` item wins), or null when there is none.
 */
export function signatureTimestamp(header: string): number | null {
  let timestamp: number | null = null;
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') {
      const parsed = Number.parseInt(value ?? '', 10);
      timestamp = Number.isFinite(parsed) ? parsed : null;
    }
  }
  return timestamp;
}

/** Seconds a signature's timestamp lies ahead of `now` (0 when it is not ahead, or has none). */
export function secondsAhead(header: string, now: number = Date.now()): number {
  const timestamp = signatureTimestamp(header);
  return timestamp === null ? 0 : Math.max(0, timestamp - Math.floor(now / 1000));
}
