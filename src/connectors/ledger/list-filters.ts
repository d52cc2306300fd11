/**
 * The where-clauses of the ledger's invoice and subscription listings, shared by the list and the count so a
 * count always means "how many the list would show without paging". Every clause is scoped by org.
 */
import type { SelectQueryBuilder } from 'kysely';
import { LIVE_SUBSCRIPTION_STATUSES } from '../../domain/billing.ts';
import type { Database } from '../../store/schema.ts';
import type { InvoiceQuery, SubscriptionQuery } from '../connector.ts';

/** Narrows a select over `invoices` to one org and `query`'s filters; `overdueAt` (needed for `overdue`) is "now". */
export function whereInvoices<Output>(
  select: SelectQueryBuilder<Database, 'invoices', Output>,
  orgId: string,
  query: InvoiceQuery,
  overdueAt: Date | undefined,
): SelectQueryBuilder<Database, 'invoices', Output> {
  if (query.overdue && !overdueAt) throw new Error('whereInvoices: an overdue filter needs the ledger clock');
  let narrowed = select.where('orgId', '=', orgId);
  if (query.customerId) narrowed = narrowed.where('customerId', '=', query.customerId);
  if (query.subscriptionId) narrowed = narrowed.where('subscriptionId', '=', query.subscriptionId);
  if (query.status) narrowed = narrowed.where('status', '=', query.status);
  if (query.overdue && overdueAt) narrowed = narrowed.where('status', '=', 'open').where('dueDate', '<', overdueAt);
  if (query.createdFrom) narrowed = narrowed.where('createdAt', '>=', query.createdFrom);
  if (query.createdTo) narrowed = narrowed.where('createdAt', '<', query.createdTo);
  if (query.minTotal !== undefined) narrowed = narrowed.where('total', '>=', query.minTotal);
  if (query.currency) narrowed = narrowed.where('currency', '=', query.currency);
  return narrowed;
}

/** Narrows a select over `subscriptions` to one org and `query`'s filters. */
export function whereSubscriptions<Output>(
  select: SelectQueryBuilder<Database, 'subscriptions', Output>,
  orgId: string,
  query: SubscriptionQuery,
): SelectQueryBuilder<Database, 'subscriptions', Output> {
  let narrowed = select.where('orgId', '=', orgId);
  if (query.customerId) narrowed = narrowed.where('customerId', '=', query.customerId);
  if (query.status) narrowed = narrowed.where('status', '=', query.status);
  if (query.live || query.renewing) narrowed = narrowed.where('status', 'in', LIVE_SUBSCRIPTION_STATUSES);
  if (query.renewing) narrowed = narrowed.where('cancelAtPeriodEnd', '=', false);
  if (query.createdFrom) narrowed = narrowed.where('createdAt', '>=', query.createdFrom);
  if (query.createdTo) narrowed = narrowed.where('createdAt', '<', query.createdTo);
  if (query.country) {
    const country = query.country;
    narrowed = narrowed.where('customerId', 'in', (customers) =>
      customers.selectFrom('customers').select('id').where('orgId', '=', orgId).where('country', '=', country),
    );
  }
  if (query.priceId || query.productId) {
    const { priceId, productId } = query;
    narrowed = narrowed.where('id', 'in', (sub) => {
      let items = sub.selectFrom('subscriptionItems').select('subscriptionId').where('orgId', '=', orgId);
      if (priceId) items = items.where('priceId', '=', priceId);
      if (productId)
        items = items.where('priceId', 'in', (prices) =>
          prices.selectFrom('prices').select('id').where('orgId', '=', orgId).where('productId', '=', productId),
        );
      return items;
    });
  }
  return narrowed;
}
