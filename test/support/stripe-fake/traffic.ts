/**
 * What stands between a request and its effect: injected faults (consumed in order of registration), the
 * per-fake rate limit (a token bucket, burst = rate), and idempotency keys (Stripe's rules, 24 h on the fake clock).
 */
import type { FakeErrorBody } from './errors.ts';

/** A fault to inject: an error status, or a delay (a timeout when longer than the client's). */
export type Fault =
  | {
      method?: string;
      /** An exact path, a spec template (`/v1/invoices/{invoice}/pay`) or a pattern. */
      path: string | RegExp;
      /** How many matching requests it hits (default 1). */
      times?: number;
      status: 403 | 409 | 429 | 500 | 502 | 503;
      /** Perform the request's effect, then answer the error (a lost response). */
      afterEffect?: boolean;
      message?: string;
    }
  | {
      method?: string;
      path: string | RegExp;
      times?: number;
      delayMs: number;
      /** The effect happens before the delay (else after it). */
      afterEffect?: boolean;
    };

/** A fault path: exact, or a spec template (`/v1/invoices/{invoice}/pay`) matching any id. */
function pathPattern(path: string): RegExp {
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${source}$`);
}

/** Registered faults, consumed first-registered first. */
export class FaultQueue {
  private readonly faults: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /** Takes the first fault matching the request, if any. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(({ fault, left }) => {
      if (left <= 0) return false;
      if (fault.method && fault.method.toUpperCase() !== method) return false;
      return typeof fault.path === 'string' ? pathPattern(fault.path).test(path) : fault.path.test(path);
    });
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.fault;
  }
}

/** A token bucket of `rate` tokens a second (burst = rate), on the wall clock. */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  /** True when the request may pass (and takes its token). */
  allow(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A stored answer of an idempotent request. */
export interface StoredAnswer {
  status: number;
  body: string;
}

type KeyEntry =
  | { state: 'running'; fingerprint: string; at: number }
  | { state: 'done'; fingerprint: string; at: number; answer: StoredAnswer };

/** Stripe keeps idempotency keys about 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** What to do with a keyed request. */
export type KeyDecision =
  | { kind: 'run' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in_use' };

/** Idempotency keys: same key and request → the stored answer; another request → mismatch; still running → in use. */
export class IdempotencyKeys {
  private readonly entries = new Map<string, KeyEntry>();

  /** Decides, and on `run` marks the key as running from `now` (fake-clock ms). */
  begin(key: string, fingerprint: string, now: number): KeyDecision {
    const entry = this.entries.get(key);
    if (entry && now - entry.at < IDEMPOTENCY_TTL_MS) {
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'running') return { kind: 'in_use' };
      return { kind: 'replay', answer: entry.answer };
    }
    this.entries.set(key, { state: 'running', fingerprint, at: now });
    return { kind: 'run' };
  }

  /** Stores the answer of a run. */
  finish(key: string, answer: StoredAnswer): void {
    const entry = this.entries.get(key);
    if (entry) this.entries.set(key, { state: 'done', fingerprint: entry.fingerprint, at: entry.at, answer });
  }

  /** Forgets a run that saved nothing (it failed before the endpoint ran). */
  abandon(key: string): void {
    this.entries.delete(key);
  }
}

/** The answer body of an error. */
export function errorAnswer(error: FakeErrorBody): StoredAnswer {
  return { status: error.status, body: JSON.stringify({ error: error.error }) };
}
