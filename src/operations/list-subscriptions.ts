/** list_subscriptions: subscriptions by customer, status, creation window, price or product, with names. */
import { z } from 'zod';
import type { SubscriptionQuery } from '../connectors/connector.ts';
import { SUBSCRIPTION_STATUSES } from '../domain/billing.ts';
import { defineRead } from './define-operation.ts';
import { listingBounds, periodBound } from './period.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of list_subscriptions. */
export const listSubscriptionsInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    status: z.enum(SUBSCRIPTION_STATUSES).optional(),
    /** Created on or after this month or day. */
    from: periodBound.optional(),
    /** Created on or before this month or day (inclusive). */
    to: periodBound.optional(),
    price_id: z.string().min(1).max(100).optional(),
    product_id: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(1000).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

/** Lists subscriptions newest first, each with its customer's name and its plan, and how many match in all. */
export const listSubscriptions = defineRead({
  name: 'list_subscriptions',
  description:
    'List subscriptions newest first, with the total count matching: filter by customer (id, email or name), status (trialing, active, past_due, canceled, unpaid), creation date (from/to: YYYY-MM or YYYY-MM-DD, to inclusive), price_id or product_id.',
  kind: 'data.read',
  input: listSubscriptionsInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const window = listingBounds(input);
    const query: SubscriptionQuery = {
      ...(customer ? { customerId: customer.id } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(window.from ? { createdFrom: window.from } : {}),
      ...(window.until ? { createdTo: window.until } : {}),
      ...(input.price_id ? { priceId: input.price_id } : {}),
      ...(input.product_id ? { productId: input.product_id } : {}),
    };
    const [page, count] = await Promise.all([
      connector.listSubscriptions({ ...query, limit: input.limit, offset: input.offset }),
      connector.countSubscriptions(query),
    ]);
    // Names for the page in three queries (products, prices, its customers), never one per subscription.
    const [products, prices, customers] =
      page.length === 0
        ? [[], [], []]
        : await Promise.all([
            connector.listProducts(),
            connector.listPrices(),
            connector.getCustomers(page.map((subscription) => subscription.customerId)),
          ]);
    const productById = new Map(products.map((product) => [product.id, product]));
    const priceById = new Map(prices.map((price) => [price.id, price]));
    const customerNames = new Map(customers.map((owner) => [owner.id, owner.name]));
    const subscriptions = page.map((subscription) => {
      const items = subscription.items.map((item) => {
        const price = priceById.get(item.priceId);
        const product = price ? productById.get(price.productId) : undefined;
        return {
          ...item,
          nickname: price?.nickname ?? null,
          productId: price?.productId ?? null,
          productName: product?.name ?? null,
        };
      });
      const plans = [...new Set(items.flatMap((item) => (item.productName ? [item.productName] : [])))];
      return {
        ...subscription,
        items,
        customerName: customerNames.get(subscription.customerId) ?? null,
        plan: plans.length > 0 ? plans.join(' + ') : null,
      };
    });
    return { now: await connector.now(), subscriptions, count };
  },
  subjects: (input, output) => ({
    customerId: input.customer ? (output.subscriptions[0]?.customerId ?? null) : null,
  }),
});
