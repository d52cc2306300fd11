/**
 * A `@fastify/rate-limit` store that counts in the database (table rate_limit_hits, migration 0020), so every
 * server process on one PostgreSQL counts against the same limit; on the embedded store the one process that owns
 * it counts there too, so both run the same code. The plugin does the limiting (headers, 429, Retry-After); this
 * only counts: a fixed window per key, bumped and read in one atomic upsert, timed by the database's clock so
 * processes whose clocks differ still agree on when a window ends.
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';

/** How often (at most) a process deletes counters whose window ended, and how long after it ended. */
const PRUNE_EVERY_MS = 5 * 60_000;
const PRUNE_AFTER = '1 hour';

type Done = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The route a child store counts for, as the plugin passes it (its typings name a different shape). */
interface ChildOptions {
  routeInfo?: { method?: string | string[]; url?: string };
}

/** Bumps `key`'s hits in its window (a new window when the last one ended): the hits so far and the ms left. */
export async function countHit(
  db: Kysely<Database>,
  key: string,
  windowMs: number,
): Promise<{ current: number; ttl: number }> {
  const window = sql`clock_timestamp() + ${windowMs} * interval '1 millisecond'`;
  const { rows } = await sql<{ hits: number; ttl: number }>`
    insert into rate_limit_hits as counter (key, hits, resets_at) values (${key}, 1, ${window})
    on conflict (key) do update set
      hits = case when counter.resets_at <= clock_timestamp() then 1 else counter.hits + 1 end,
      resets_at = case when counter.resets_at <= clock_timestamp() then ${window} else counter.resets_at end
    returning hits, greatest(0, ceil(extract(epoch from resets_at - clock_timestamp()) * 1000))::integer as ttl`.execute(
    db,
  );
  const row = rows[0];
  if (!row) throw new Error('rate-limit counter: the upsert returned no row');
  return { current: Number(row.hits), ttl: Number(row.ttl) };
}

/** Deletes counters whose window ended over an hour ago (keys seen once: an address, a revoked credential). */
export async function pruneHits(db: Kysely<Database>): Promise<void> {
  await sql`delete from rate_limit_hits where resets_at < clock_timestamp() - ${PRUNE_AFTER}::interval`.execute(db);
}

/** The store class the plugin constructs (`store:` option), counting in `db`. */
export function databaseRateStore(db: Kysely<Database>): FastifyRateLimitStoreCtor {
  let lastPrune = 0;
  const prune = () => {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    // Housekeeping only: a failed prune is retried later and never fails a request.
    void pruneHits(db).catch(() => undefined);
  };

  class DatabaseRateStore implements FastifyRateLimitStore {
    readonly #prefix: string;

    constructor(_options?: FastifyRateLimitOptions, prefix = 'rl:') {
      this.#prefix = prefix;
    }

    incr(key: string, done: Done, timeWindow: number): void {
      prune();
      countHit(db, this.#prefix + key, timeWindow).then(
        (result) => done(null, result),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      // One budget per route, as the plugin's own stores keep it.
      const route = (routeOptions as ChildOptions).routeInfo;
      const method = Array.isArray(route?.method) ? route.method.join(',') : (route?.method ?? '');
      return new DatabaseRateStore(undefined, `${this.#prefix}${method}${route?.url ?? ''}:`);
    }
  }
  return DatabaseRateStore;
}
