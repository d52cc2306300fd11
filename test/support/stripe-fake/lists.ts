/**
 * Stripe's list pages: newest first, `limit` 1–100 (default 10), `starting_after` / `ending_before` cursors,
 * `created[gt|gte|lt|lte]` (or an exact `created`), `has_more`.
 */
import { FakeError, invalidRequest } from './errors.ts';
import type { StripeObject } from './fixtures.ts';

/** A list page of `items` (already filtered, newest first) for the request's paging parameters. */
export function listPage(items: StripeObject[], params: StripeObject, url: string): StripeObject {
  const limit = params.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new FakeError(
      invalidRequest('Invalid limit: must be at least 1 and less than or equal to 100.', {
        code: 'parameter_invalid_integer',
        param: 'limit',
      }),
    );
  let candidates = items.filter((item) => matchesCreated(item.created, params.created));
  const cursor = (param: 'starting_after' | 'ending_before') => {
    const id = params[param] as string;
    const at = candidates.findIndex((item) => item.id === id);
    if (at < 0)
      throw new FakeError(invalidRequest(`No such object: '${id}'`, { code: 'resource_missing', param, status: 404 }));
    return at;
  };
  let data: StripeObject[];
  let hasMore: boolean;
  if (params.starting_after) {
    candidates = candidates.slice(cursor('starting_after') + 1);
    data = candidates.slice(0, limit);
    hasMore = candidates.length > limit;
  } else if (params.ending_before) {
    candidates = candidates.slice(0, cursor('ending_before'));
    data = candidates.slice(Math.max(0, candidates.length - limit));
    hasMore = candidates.length > limit;
  } else {
    data = candidates.slice(0, limit);
    hasMore = candidates.length > limit;
  }
  return { object: 'list', data, has_more: hasMore, url };
}

/** `created` as an exact second or a range. */
export function matchesCreated(created: number, filter: unknown): boolean {
  if (filter === undefined || filter === null || filter === '') return true;
  if (typeof filter === 'number') return created === filter;
  const range = filter as { gt?: number; gte?: number; lt?: number; lte?: number };
  return (
    (range.gt === undefined || created > range.gt) &&
    (range.gte === undefined || created >= range.gte) &&
    (range.lt === undefined || created < range.lt) &&
    (range.lte === undefined || created <= range.lte)
  );
}

/** Keeps items whose `field` equals the parameter, when the parameter is given. */
export function where(items: StripeObject[], value: unknown, field: (item: StripeObject) => unknown): StripeObject[] {
  return value === undefined ? items : items.filter((item) => field(item) === value);
}
