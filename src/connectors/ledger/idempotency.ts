/**
 * Idempotency like Stripe's: the first call with a key stores its response; a repeat with the same request gets
 * the same response and no second effect; a repeat with a different request is a conflict.
 */
import type { Transaction } from 'kysely';
import { canonicalJson, sha256Hex } from '../../domain/canonical-json.ts';
import { LeashError } from '../../domain/errors.ts';
import { json } from '../../store/json.ts';
import type { Database } from '../../store/schema.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function reviveDates(value: unknown): unknown {
  if (typeof value === 'string' && ISO_DATE.test(value)) return new Date(value);
  if (Array.isArray(value)) return value.map(reviveDates);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reviveDates(item)]));
  return value;
}

/** Runs `effect` once per (org, key) inside `trx`; later calls with the key get the first response back. */
export async function once<T>(
  trx: Transaction<Database>,
  input: { orgId: string; key: string; operation: string; request: unknown },
  effect: () => Promise<T>,
): Promise<T> {
  if (!input.key || input.key.length > 255)
    throw new LeashError('bad_input', 'every write needs an idempotency key of at most 255 characters', {
      field: 'idempotency_key',
    });
  const requestHash = sha256Hex(canonicalJson({ operation: input.operation, request: input.request }));
  // Claim the key first: a concurrent call with the same key waits here until this transaction ends.
  const claimed = await trx
    .insertInto('ledgerIdempotency')
    .values({
      orgId: input.orgId,
      key: input.key,
      operation: input.operation,
      requestHash,
      response: json({ pending: true }),
    })
    .onConflict((conflict) => conflict.columns(['orgId', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!claimed) {
    const stored = await trx
      .selectFrom('ledgerIdempotency')
      .selectAll()
      .where('orgId', '=', input.orgId)
      .where('key', '=', input.key)
      .executeTakeFirstOrThrow();
    if (stored.requestHash !== requestHash || stored.operation !== input.operation) {
      throw new LeashError('conflict', `idempotency key ${input.key} was already used for a different request`);
    }
    return reviveDates((stored.response as { value?: unknown }).value) as T;
  }
  const result = await effect();
  await trx
    .updateTable('ledgerIdempotency')
    .set({ response: json({ value: result ?? null }) })
    .where('orgId', '=', input.orgId)
    .where('key', '=', input.key)
    .execute();
  return result;
}
