/** find_duplicate_subscriptions: customers billed twice for one product, with the evidence. */
import { z } from 'zod';
import type { Price } from '../domain/billing.ts';
import { type Currency, formatMoney } from '../domain/money.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of find_duplicate_subscriptions. */
export const findDuplicateSubscriptionsInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** One subscription in a duplicate group, as evidence. */
export interface DuplicateEvidence {
  subscriptionId: string;
  status: string;
  createdAt: Date;
  currentPeriodEnd: Date;
  priceId: string;
  price: string;
  amount: number;
  currency: Currency;
}

/** A customer subscribed twice (or more) to one product. */
export interface DuplicateGroup {
  customer: { id: string; name: string; email: string };
  product: { id: string; name: string };
  subscriptions: DuplicateEvidence[];
  /** What the extra subscriptions bill per period, in the subscription currency. */
  extraPerPeriod: number;
  currency: Currency;
  summary: string;
}

/** Finds customers with two or more live subscriptions to the same product (org-wide or for one customer). */
export const findDuplicateSubscriptions = defineRead({
  name: 'find_duplicate_subscriptions',
  description:
    'Find customers with two or more live subscriptions to the same product (org-wide or for one customer), with the evidence.',
  kind: 'data.read',
  input: findDuplicateSubscriptionsInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const found = await connector.findDuplicateSubscriptions({
      ...(customer ? { customerId: customer.id } : {}),
      limit: input.limit,
    });
    const prices = new Map<string, Price | undefined>();
    const priceOf = async (id: string) => {
      if (!prices.has(id)) prices.set(id, await connector.getPrice(id));
      return prices.get(id);
    };
    const groups: DuplicateGroup[] = [];
    for (const group of found) {
      const [owner, product] = await Promise.all([
        connector.getCustomer(group.customerId),
        connector.getProduct(group.productId),
      ]);
      const subscriptions: DuplicateEvidence[] = [];
      for (const subscription of group.subscriptions) {
        const item = subscription.items[0];
        const price = item ? await priceOf(item.priceId) : undefined;
        subscriptions.push({
          subscriptionId: subscription.id,
          status: subscription.status,
          createdAt: subscription.createdAt,
          currentPeriodEnd: subscription.currentPeriodEnd,
          priceId: item?.priceId ?? '',
          price: price?.nickname ?? '',
          amount: (price?.unitAmount ?? 0) * (item?.quantity ?? 1),
          currency: subscription.currency,
        });
      }
      const currency: Currency = subscriptions[0]?.currency ?? 'usd';
      const extraPerPeriod = subscriptions.slice(1).reduce((total, evidence) => total + evidence.amount, 0);
      const name = owner?.name ?? group.customerId;
      groups.push({
        customer: { id: group.customerId, name, email: owner?.email ?? '' },
        product: { id: group.productId, name: product?.name ?? group.productId },
        subscriptions,
        extraPerPeriod,
        currency,
        summary: `${name} has ${subscriptions.length} live ${product?.name ?? group.productId} subscriptions; the extra ${
          subscriptions.length > 2 ? 'ones bill' : 'one bills'
        } ${formatMoney({ amount: extraPerPeriod, currency })} per period`,
      });
    }
    return { groups };
  },
  subjects: (_input, output) => ({ customerId: output.groups[0]?.customer.id ?? null }),
});
