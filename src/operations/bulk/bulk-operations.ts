/**
 * The bulk actions: a coupon for a segment ("all US customers"), retrying the failed invoices of a window,
 * and migrating every subscription on one price to another with proration. Each resolves its full target
 * list when proposed; see define-bulk.ts for how the job runs.
 */
import { z } from 'zod';
import type { BillingConnector } from '../../connectors/connector.ts';
import type { Coupon, Price, Subscription } from '../../domain/billing.ts';
import { notFound } from '../../domain/errors.ts';
import { formatMoney, isCurrency } from '../../domain/money.ts';
import { notifyFields } from '../broadcast-template.ts';
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

/** Minor units as a person reads them ("$45.60"). */
function moneyText(amount: number, currency: string): string {
  return isCurrency(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;
}

/** A price's plan as a customer knows it: its nickname, else its product's name. */
async function planName(connector: BillingConnector, price: Price): Promise<string> {
  if (price.nickname) return price.nickname;
  return (await connector.getProduct(price.productId))?.name ?? price.id;
}

/** "$49.00 a month", "$490.00 a year", "$5.00". */
function priceText(price: Price): string {
  const amount = moneyText(price.unitAmount, price.currency);
  return price.interval ? `${amount} a ${price.interval}` : amount;
}

/** "1 subscription", "87 subscriptions". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The revenue a coupon takes off one subscription a month: its percentage (or fixed amount, in the
 * subscription's currency) of the licensed items' price, a yearly price counted as a twelfth. Metered items,
 * whose amount is not known ahead, count as nothing.
 */
export function monthlyDiscount(subscription: Subscription, coupon: Coupon, prices: Map<string, Price>): number {
  let monthly = 0;
  for (const item of subscription.items) {
    const price = prices.get(item.priceId);
    if (!price || price.unitAmount === null) continue;
    monthly += (price.unitAmount * item.quantity) / (price.interval === 'year' ? 12 : 1);
  }
  if (coupon.percentOffBps !== null) return Math.round((monthly * coupon.percentOffBps) / 10_000);
  if (coupon.amountOff !== null && coupon.currency === subscription.currency)
    return Math.min(Math.round(monthly), coupon.amountOff);
  return 0;
}

/** The targets' amounts summed per currency, as people read them ("$45.60 + €12.00"); "" when none. */
function totals(targets: BulkTarget[]): string {
  const byCurrency = new Map<string, number>();
  for (const target of targets)
    if (target.currency) byCurrency.set(target.currency, (byCurrency.get(target.currency) ?? 0) + (target.amount ?? 0));
  return [...byCurrency].map(([currency, amount]) => moneyText(amount, currency)).join(' + ');
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
    ...notifyFields('bulk_apply_coupon'),
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
    const [named, prices] = await Promise.all([
      names(connector, without),
      connector.listPrices().then((all) => new Map(all.map((price) => [price.id, price]))),
    ]);
    return without.map((subscription) => {
      const amount = monthlyDiscount(subscription, coupon, prices);
      const name = named.get(subscription.customerId) ?? subscription.customerId;
      return {
        customerId: subscription.customerId,
        customerName: name,
        label: `${name}: ${coupon.code} on ${subscription.id}, ${moneyText(amount, subscription.currency)} a month less`,
        ids: { subscription: subscription.id, coupon: coupon.id },
        amount,
        currency: subscription.currency,
        figures: {
          customer_name: name,
          coupon: coupon.code,
          saving: `${moneyText(amount, subscription.currency)} a month`,
        },
      };
    });
  },
  summary: (input, targets) =>
    `Apply ${input.coupon} to ${count(targets.length, 'live subscription')}${input.country ? ` of customers in ${input.country}` : ''}${totals(targets) ? `: gives away ${totals(targets)} a month in revenue` : ''}`,
  bound: (input) => ({ coupon: input.coupon, country: input.country ?? null }),
  runTarget: (connector, target, _input, key) =>
    connector.applyCoupon(
      { subscriptionId: target.ids.subscription ?? '', couponId: target.ids.coupon ?? '' },
      { idempotencyKey: key },
    ),
  rate: (input) => input.rate_per_second,
});

/** Input of bulk_retry_invoices. */
export const bulkRetryInvoicesInput = z
  .object({
    ...windowFields,
    /** Only invoices of customers in this country (the region a failures insight names). */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO country code like DE')
      .optional(),
    ...notifyFields('bulk_retry_invoices'),
    ...rateField,
    ...writeContextFields,
  })
  .strict();

/** Retries every open invoice whose payment failed in a window (of customers in one country, when given). */
export const bulkRetryInvoices = defineBulk({
  name: 'bulk_retry_invoices',
  description:
    'Retry payment of every open invoice whose card payment failed in a window (default: the last 7 days), optionally only of customers in one country, as one approved job.',
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
    const owners = new Map<string, { name: string; country: string | null }>();
    for (const charge of failed) {
      if (!charge.invoiceId || seen.has(charge.invoiceId)) continue;
      seen.add(charge.invoiceId);
      const invoice = await connector.getInvoice(charge.invoiceId);
      if (invoice?.status !== 'open' || invoice.amountRemaining <= 0) continue;
      let owner = owners.get(invoice.customerId);
      if (!owner) {
        const customer = await connector.getCustomer(invoice.customerId);
        owner = { name: customer?.name ?? invoice.customerId, country: customer?.country ?? null };
        owners.set(invoice.customerId, owner);
      }
      if (input.country && owner.country !== input.country) continue;
      const name = owner.name;
      targets.push({
        customerId: invoice.customerId,
        customerName: name,
        label: `${name}: ${invoice.number}, ${moneyText(invoice.amountRemaining, invoice.currency)} (${charge.failureCode ?? 'declined'})`,
        ids: { invoice: invoice.id },
        amount: invoice.amountRemaining,
        currency: invoice.currency,
        figures: {
          customer_name: name,
          invoice: invoice.number,
          amount: moneyText(invoice.amountRemaining, invoice.currency),
        },
      });
    }
    return targets;
  },
  summary: (input, targets) =>
    `Retry payment of ${count(targets.length, 'open invoice')}${input.country ? ` of customers in ${input.country}` : ''} whose payment failed${totals(targets) ? `, collecting up to ${totals(targets)}` : ''}`,
  bound: (input) => ({ from: input.from ?? null, to: input.to ?? null, country: input.country ?? null }),
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
    ...notifyFields('bulk_migrate_plan'),
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
    const [fromPlan, toPlan] = await Promise.all([planName(connector, from), planName(connector, to)]);
    return subscriptions
      .filter((subscription) => subscription.currency === to.currency)
      .map((subscription) => ({
        customerId: subscription.customerId,
        customerName: named.get(subscription.customerId) ?? subscription.customerId,
        label: `${named.get(subscription.customerId)}: ${from.nickname || from.id} → ${to.nickname || to.id}`,
        ids: { subscription: subscription.id, price: to.id },
        figures: {
          customer_name: named.get(subscription.customerId) ?? subscription.customerId,
          old_plan: fromPlan,
          new_plan: toPlan,
          old_price: priceText(from),
          new_price: priceText(to),
          // Without proration the new price starts at the renewal; with it, the day the change is made.
          ...(input.prorate ? {} : { effective_at: subscription.currentPeriodEnd.toISOString() }),
        },
      }));
  },
  summary: (input, targets) =>
    `Move ${count(targets.length, 'subscription')} from ${input.from_price_id} to ${input.to_price_id}${input.prorate ? ', billing the proration now' : ' at their next renewal'}`,
  bound: (input) => ({ from: input.from_price_id, to: input.to_price_id, prorate: input.prorate }),
  runTarget: (connector, target, input, key) =>
    connector.changePlan(
      { subscriptionId: target.ids.subscription ?? '', priceId: target.ids.price ?? '', prorate: input.prorate },
      { idempotencyKey: key },
    ),
  rate: (input) => input.rate_per_second,
});
