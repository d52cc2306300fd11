/**
 * explain_plan: what a customer is on and what it allows — price, discount, limits, usage this period
 * against them, what happens past a limit, and when it renews.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Price, Subscription } from '../domain/billing.ts';
import { formatMoney, money } from '../domain/money.ts';
import { personDate } from '../domain/person-time.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of explain_plan. */
export const explainPlanInput = z.object({ customer: z.string().min(1).max(200) }).strict();

/** One limit of a plan and how much of it is used this period (null: not metered). */
export interface LimitUse {
  limit: string;
  allowed: number | null;
  used: number | null;
  /** Usage in the period before this one (metered limits only). */
  previousUsed: number | null;
  /** used ÷ allowed, 0–1+ (null when either is unknown). */
  share: number | null;
}

/** Usage metrics count toward the limit of the same name; `_thousands` metrics count in thousands. */
export function limitOfMetric(metric: string): { limit: string; factor: number } {
  return metric.endsWith('_thousands')
    ? { limit: metric.slice(0, -'_thousands'.length), factor: 1_000 }
    : { limit: metric, factor: 1 };
}

function describePrice(price: Price, quantity: number): string {
  const interval = price.interval ? `/${price.interval}` : '';
  if (price.usageMetric) {
    const included = `${price.freeAllowance.toLocaleString('en-US')} ${price.usageMetric} included`;
    if (price.scheme === 'tiered')
      return `${included}, then tiered: ${price.tiers
        .map(
          (tier) =>
            `${formatMoney(money(tier.unitAmount, price.currency))} each${tier.upTo === null ? ' beyond' : ` up to ${tier.upTo.toLocaleString('en-US')}`}`,
        )
        .join(', ')}`;
    return `${included}, then ${formatMoney(money(price.unitAmount, price.currency))} per ${price.usageMetric}`;
  }
  const each = formatMoney(money(price.unitAmount, price.currency));
  return price.scheme === 'per_unit' ? `${quantity} × ${each}${interval}` : `${each}${interval}`;
}

async function explainSubscription(connector: BillingConnector, subscription: Subscription) {
  const items = [];
  const length = subscription.currentPeriodEnd.getTime() - subscription.currentPeriodStart.getTime();
  const usage = await connector.listUsage({
    subscriptionId: subscription.id,
    from: new Date(subscription.currentPeriodStart.getTime() - length),
    to: subscription.currentPeriodEnd,
  });
  const usedByLimit = new Map<string, number>();
  const previousByLimit = new Map<string, number>();
  for (const record of usage) {
    const { limit, factor } = limitOfMetric(record.metric);
    const into = record.timestamp < subscription.currentPeriodStart ? previousByLimit : usedByLimit;
    into.set(limit, (into.get(limit) ?? 0) + record.quantity * factor);
  }
  const metered = new Set([...usedByLimit.keys(), ...previousByLimit.keys()]);
  const limits: LimitUse[] = [];
  const overage: string[] = [];
  for (const item of subscription.items) {
    const price = await connector.getPrice(item.priceId);
    const product = price ? await connector.getProduct(price.productId) : undefined;
    items.push({
      product: product?.name ?? item.priceId,
      price: price ? describePrice(price, item.quantity) : item.priceId,
      priceId: item.priceId,
      quantity: item.quantity,
      legacy: product?.legacy ?? false,
    });
    if (product?.overage) overage.push(product.overage);
    for (const [limit, allowed] of Object.entries(product?.limits ?? {})) {
      const seats = limit === 'seats' && price?.scheme === 'per_unit';
      const used = seats ? item.quantity : metered.has(limit) ? (usedByLimit.get(limit) ?? 0) : null;
      const previousUsed = metered.has(limit) ? (previousByLimit.get(limit) ?? 0) : null;
      limits.push({ limit, allowed, used, previousUsed, share: used !== null && allowed ? used / allowed : null });
    }
  }
  const coupon = subscription.couponId ? await connector.getCoupon(subscription.couponId) : undefined;
  return {
    subscriptionId: subscription.id,
    status: subscription.status,
    items,
    discount: coupon
      ? {
          code: coupon.code,
          off:
            coupon.percentOffBps !== null
              ? `${coupon.percentOffBps / 100}%`
              : formatMoney(money(coupon.amountOff ?? 0, coupon.currency ?? subscription.currency)),
          until: subscription.discountEnd,
        }
      : null,
    limits,
    overage,
    period: { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd },
    trialEnd: subscription.trialEnd,
    renews: subscription.cancelAtPeriodEnd ? null : subscription.currentPeriodEnd,
    endsAt: subscription.cancelAtPeriodEnd ? subscription.currentPeriodEnd : null,
  };
}

/** Explains a customer's plans and limits. */
export const explainPlan = defineRead({
  name: 'explain_plan',
  description:
    "Explain a customer's current plan: price, discount, limits with this period's usage against them, what happens over a limit, and the renewal date.",
  kind: 'data.read',
  input: explainPlanInput,
  async run(_context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer);
    const live = (await connector.listSubscriptions({ customerId: customer.id, limit: 50 })).filter(
      (subscription) => subscription.status !== 'canceled',
    );
    const plans = [];
    for (const subscription of live) plans.push(await explainSubscription(connector, subscription));
    const lines = plans.map((plan) => {
      const names = plan.items.map((item) => `${item.product} (${item.price})`).join(' + ');
      const usage = plan.limits
        .filter((use) => use.used !== null && use.allowed !== null)
        .map((use) => {
          const before = use.previousUsed !== null ? ` (${use.previousUsed.toLocaleString('en-US')} last period)` : '';
          return ` ${use.limit.replace('_', ' ')}: ${(use.used ?? 0).toLocaleString('en-US')} of ${(use.allowed ?? 0).toLocaleString('en-US')} used this period${before}.`;
        })
        .join('');
      const when = plan.renews
        ? `renews ${personDate(plan.renews)}`
        : `ends ${plan.endsAt ? personDate(plan.endsAt) : 'never'}`;
      return `${names}, ${plan.status}, ${when}${plan.discount ? `, ${plan.discount.off} off (${plan.discount.code})` : ''}.${usage}`;
    });
    return {
      customer: { id: customer.id, name: customer.name, email: customer.email },
      plans,
      summary:
        plans.length === 0 ? `${customer.name} has no live subscription.` : `${customer.name}: ${lines.join(' ')}`,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customer.id }),
});
