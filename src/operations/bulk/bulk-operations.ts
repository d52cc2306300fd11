/**
 * The bulk actions: a coupon for a segment ("all US customers"), retrying the failed invoices of a window,
 * and migrating every subscription on one price to another with proration. Each resolves its full target
 * list when proposed; see define-bulk.ts for how the job runs.
 */
import { z } from 'zod';
import type { BillingConnector } from '../../connectors/connector.ts';
import type { Subscription } from '../../domain/billing.ts';
import { notFound } from '../../domain/errors.ts';
import { resolveWindow, windowFields } from '../period.ts';
import { writeContextFields } from '../write-fields.ts';
import { type BulkTarget, DEFAULT_RATE, defineBulk, MAX_TARGETS } from './define-bulk.ts';

const PAGE = 1_000;

/** Pages through a list read until it is exhausted (or past the target limit). */
async function everyPage<T>(read: (offset: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await read(offset);
    all.push(...page);
    if (page.length < PAGE || all.length > MAX_TARGETS) return all;
  }
}

const rateField = { rate_per_second: z.number().min(0.1).max(100).default(DEFAULT_RATE) };

async function names(connector: BillingConnector, subscriptions: Subscription[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const id of new Set(subscriptions.map((subscription) => subscription.customerId)))
    found.set(id, (await connector.getCustomer(id))?.name ?? id);
  return found;
}

/** Input of bulk_apply_coupon. */
export const bulkApplyCouponInput = z
  .object({
    coupon: z.string().min(1).max(100),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO country code like US')
      .optional(),
    price_id: z.string().max(100).optional(),
    product_id: z.string().max(100).optional(),
    ...rateField,
    ...writeContextFields,
  })
  .strict();

/** Applies a coupon to every live subscription in a segment. */
export const bulkApplyCoupon = defineBulk({
  name: 'bulk_apply_coupon',
  description:
    'Apply a coupon to every live subscription in a segment (customers in a country, on a price or product), as one approved job that lists every target.',
  kind: 'billing.change',
  input: bulkApplyCouponInput,
  destructive: false,
  async targets(_context, input, connector) {
    const coupon = await connector.getCoupon(input.coupon);
    if (!coupon) throw notFound('coupon', input.coupon);
    const subscriptions = await everyPage((offset) =>
      connector.listSubscriptions({
        live: true,
        ...(input.country ? { country: input.country } : {}),
        ...(input.price_id ? { priceId: input.price_id } : {}),
        ...(input.product_id ? { productId: input.product_id } : {}),
        limit: PAGE,
        offset,
      }),
    );
    const without = subscriptions.filter((subscription) => subscription.couponId !== coupon.id);
    const named = await names(connector, without);
    return without.map((subscription) => ({
      customerId: subscription.customerId,
      label: `${named.get(subscription.customerId)}: ${coupon.code} on ${subscription.id}`,
      ids: { subscription: subscription.id, coupon: coupon.id },
    }));
  },
  summary: (input, targets) =>
    `Apply ${input.coupon} to ${targets.length} live subscription(s)${input.country ? ` of customers in ${input.country}` : ''}`,
  bound: (input) => ({ coupon: input.coupon, country: input.country ?? null }),
  runTarget: (connector, target, _input, key) =>
    connector.applyCoupon(
      { subscriptionId: target.ids.subscription ?? '', couponId: target.ids.coupon ?? '' },
      { idempotencyKey: key },
    ),
  rate: (input) => input.rate_per_second,
});

/** Input of bulk_retry_invoices. */
export const bulkRetryInvoicesInput = z.object({ ...windowFields, ...rateField, ...writeContextFields }).strict();

/** Retries every open invoice whose payment failed in a window. */
export const bulkRetryInvoices = defineBulk({
  name: 'bulk_retry_invoices',
  description:
    'Retry payment of every open invoice whose card payment failed in a window (default: the last 7 days), as one approved job.',
  kind: 'billing.change',
  input: bulkRetryInvoicesInput,
  destructive: false,
  async targets(_context, input, connector) {
    const now = await connector.now();
    const window =
      input.from || input.to
        ? resolveWindow(input, now, 1)
        : { from: new Date(now.getTime() - 7 * 86_400_000), until: new Date(now.getTime() + 1) };
    const failed = await everyPage((offset) =>
      connector.listCharges({
        status: 'failed',
        createdFrom: window.from,
        createdTo: window.until,
        limit: PAGE,
        offset,
      }),
    );
    const targets: BulkTarget[] = [];
    const seen = new Set<string>();
    for (const charge of failed) {
      if (!charge.invoiceId || seen.has(charge.invoiceId)) continue;
      seen.add(charge.invoiceId);
      const invoice = await connector.getInvoice(charge.invoiceId);
      if (invoice?.status !== 'open' || invoice.amountRemaining <= 0) continue;
      targets.push({
        customerId: invoice.customerId,
        label: `${invoice.number}: ${invoice.amountRemaining} ${invoice.currency} (${charge.failureCode ?? 'declined'})`,
        ids: { invoice: invoice.id },
        amount: invoice.amountRemaining,
        currency: invoice.currency,
      });
    }
    return targets;
  },
  summary: (_input, targets) => `Retry payment of ${targets.length} open invoice(s) whose payment failed`,
  bound: (input) => ({ from: input.from ?? null, to: input.to ?? null }),
  runTarget: (connector, target, _input, key) =>
    connector.payInvoice({ invoiceId: target.ids.invoice ?? '' }, { idempotencyKey: key }),
  rate: (input) => input.rate_per_second,
});

/** Input of bulk_migrate_plan. */
export const bulkMigratePlanInput = z
  .object({
    from_price_id: z.string().min(1).max(100),
    to_price_id: z.string().min(1).max(100),
    /** Bill the proration now (default) or switch at each subscription's next renewal. */
    prorate: z.boolean().default(true),
    ...rateField,
    ...writeContextFields,
  })
  .strict();

/** Moves every live subscription from one price to another. */
export const bulkMigratePlan = defineBulk({
  name: 'bulk_migrate_plan',
  description:
    'Move every live subscription on one price to another (e.g. everyone on the legacy Starter plan to Pro), with exact proration, as one approved job.',
  kind: 'billing.change',
  input: bulkMigratePlanInput,
  destructive: false,
  async targets(_context, input, connector) {
    const [from, to] = await Promise.all([
      connector.getPrice(input.from_price_id),
      connector.getPrice(input.to_price_id),
    ]);
    if (!from) throw notFound('price', input.from_price_id);
    if (!to) throw notFound('price', input.to_price_id);
    const subscriptions = await everyPage((offset) =>
      connector.listSubscriptions({ live: true, priceId: from.id, limit: PAGE, offset }),
    );
    const named = await names(connector, subscriptions);
    return subscriptions
      .filter((subscription) => subscription.currency === to.currency)
      .map((subscription) => ({
        customerId: subscription.customerId,
        label: `${named.get(subscription.customerId)}: ${from.nickname || from.id} → ${to.nickname || to.id}`,
        ids: { subscription: subscription.id, price: to.id },
      }));
  },
  summary: (input, targets) =>
    `Move ${targets.length} subscription(s) from ${input.from_price_id} to ${input.to_price_id}${input.prorate ? ', billing the proration now' : ' at their next renewal'}`,
  bound: (input) => ({ from: input.from_price_id, to: input.to_price_id, prorate: input.prorate }),
  runTarget: (connector, target, input, key) =>
    connector.changePlan(
      { subscriptionId: target.ids.subscription ?? '', priceId: target.ids.price ?? '', prorate: input.prorate },
      { idempotencyKey: key },
    ),
  rate: (input) => input.rate_per_second,
});
