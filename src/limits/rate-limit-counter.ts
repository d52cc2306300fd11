/**
 * Where the HTTP rate limits (sign-in per address, writes and /mcp per credential) are counted: in Redis when
 * `LEASH_REDIS_URL` is set (`@fastify/rate-limit`'s own Redis store over ioredis), else in the database the server
 * runs on (./database-rate-store.ts). Either way every server process on that Redis or database counts against
 * one limit, so three processes behind a load balancer allow what one would, whichever of them answers.
 * The other limits already live in the database: approval requests are counted from approval_requests under a
 * per-member lock (approvals/approval-cap.ts), an agent's blocked attempts from the audit log with the stop as a
 * row (auth/agent-access.ts).
 */
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { Store } from '../store/db.ts';
import { databaseRateStore } from './database-rate-store.ts';

/** The counting place, as `@fastify/rate-limit` options, and how to let go of it. */
export interface RateLimitCounter {
  /** Where the counts live, for logs and /ready: `redis` or `database`. */
  readonly kind: 'redis' | 'database';
  /** Spread into the plugin's registration options. */
  readonly pluginOptions: Pick<RateLimitPluginOptions, 'store' | 'redis' | 'nameSpace'>;
  /** Closes the Redis connection (nothing for the database: the store closes itself). */
  close(): Promise<void>;
}

/** Counts in the database of `store` (every process on one PostgreSQL shares the counts). */
export function databaseCounter(store: Store): RateLimitCounter {
  return { kind: 'database', pluginOptions: { store: databaseRateStore(store.db) }, close: async () => undefined };
}

/** A Redis URL without its password, for messages. */
function redisPlace(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'LEASH_REDIS_URL';
  }
}

/**
 * Counts in Redis at `url` under `nameSpace` (one per deployment sharing a Redis). Connects and pings first, so a
 * wrong URL refuses to start instead of failing every limited request. Commands do not queue while Redis is away:
 * a limited request then fails (500, logged) rather than going uncounted.
 */
export async function redisCounter(url: string, nameSpace = 'leash:rate-limit:'): Promise<RateLimitCounter> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis: Redis = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  // Reconnection errors are retried by the client; logging each would flood the log while Redis is down.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`LEASH_REDIS_URL: Redis at ${redisPlace(url)} did not answer (${reason})`);
  }
  return {
    kind: 'redis',
    pluginOptions: { redis, nameSpace },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Redis when `redisUrl` is set (LEASH_REDIS_URL), its keys under LEASH_REDIS_PREFIX (default `leash:rate-limit:`;
 * one prefix per deployment sharing a Redis), else the store's database.
 */
export async function openRateLimitCounter(
  store: Store,
  redisUrl: string | undefined,
  prefix = process.env.LEASH_REDIS_PREFIX || undefined,
): Promise<RateLimitCounter> {
  return redisUrl ? redisCounter(redisUrl, prefix) : databaseCounter(store);
}
