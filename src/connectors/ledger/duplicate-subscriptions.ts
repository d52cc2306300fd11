/** Duplicate subscriptions in the ledger: a customer with two or more live subscriptions to one product. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { LIVE_SUBSCRIPTION_STATUSES, type Subscription } from '../../domain/billing.ts';
import type { Database } from '../../store/schema.ts';
import type { DuplicateSubscriptions } from '../connector.ts';

/** Groups the org's live subscriptions by customer and product; returns the groups of two or more, oldest first. */
export async function findDuplicateSubscriptions(
  executor: Kysely<Database> | Transaction<Database>,
  orgId: string,
  filter: { customerId?: string; limit?: number },
  withItems: (rows: Selectable<Database['subscriptions']>[]) => Promise<Subscription[]>,
): Promise<DuplicateSubscriptions[]> {
  let pairs = executor
    .selectFrom('subscriptions as s')
    .innerJoin('subscriptionItems as i', (join) =>
      join.onRef('i.subscriptionId', '=', 's.id').on('i.orgId', '=', orgId),
    )
    .innerJoin('prices as p', (join) => join.onRef('p.id', '=', 'i.priceId').on('p.orgId', '=', orgId))
    .select(['s.customerId', 'p.productId'])
    .where('s.orgId', '=', orgId)
    .where('s.status', 'in', LIVE_SUBSCRIPTION_STATUSES)
    .groupBy(['s.customerId', 'p.productId'])
    .having((eb) => eb.fn.count('s.id').distinct(), '>', 1)
    .orderBy('s.customerId')
    .orderBy('p.productId')
    .limit(Math.min(filter.limit ?? 100, 1000));
  if (filter.customerId) pairs = pairs.where('s.customerId', '=', filter.customerId);
  const found = await pairs.execute();
  if (found.length === 0) return [];
  const rows = await executor
    .selectFrom('subscriptions')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('status', 'in', LIVE_SUBSCRIPTION_STATUSES)
    .where('customerId', 'in', [...new Set(found.map((pair) => pair.customerId))])
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  const subscriptions = await withItems(rows);
  const productOf = new Map(
    (
      await executor
        .selectFrom('prices')
        .select(['id', 'productId'])
        .where('orgId', '=', orgId)
        .where('id', 'in', [...new Set(subscriptions.flatMap((sub) => sub.items.map((item) => item.priceId)))])
        .execute()
    ).map((price) => [price.id, price.productId]),
  );
  return found.map((pair) => ({
    customerId: pair.customerId,
    productId: pair.productId,
    subscriptions: subscriptions.filter(
      (sub) =>
        sub.customerId === pair.customerId && sub.items.some((item) => productOf.get(item.priceId) === pair.productId),
    ),
  }));
}
