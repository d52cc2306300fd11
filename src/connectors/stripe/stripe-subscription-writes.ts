/**
 * Subscriptions through Stripe: previews from Stripe's own invoice preview, plan changes with proration billed at
 * once, cancellations, discounts. Each answer is read back with what the mirror needs expanded.
 */
import type Stripe from 'stripe';
import type { Invoice, Subscription } from '../../domain/billing.ts';
import { invalidState, notFound } from '../../domain/errors.ts';
import type * as Connector from '../connector.ts';
import { invoiceOf } from './stripe-billing-objects.ts';
import { asObject, type StripeSession } from './stripe-session.ts';

/** What a plan change would bill, from Stripe's invoice preview at a fixed proration date. */
export async function previewPlanChange(
  session: StripeSession,
  input: Connector.ChangePlanInput,
): Promise<Connector.PlanChangePreview> {
  const subscription = await session.getSubscription(input.subscriptionId);
  if (!subscription) throw notFound('subscription', input.subscriptionId);
  const item = subscription.items[0];
  if (!item) throw invalidState(`subscription ${subscription.id} has no items`);
  const prorationDate = Math.floor(Date.now() / 1000);
  const preview = asObject(
    await session.call('preview the plan change', (stripe) =>
      stripe.invoices.createPreview({
        subscription: subscription.id,
        subscription_details: {
          items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
          proration_date: prorationDate,
          proration_behavior: input.prorate === false ? 'none' : 'always_invoice',
        },
      }),
    ),
  );
  const invoice = invoiceOf({ ...preview, id: preview.id ?? 'upcoming' }, session.orgId);
  const proration = invoice.lines.filter((line) => line.proration);
  const renewal = await session.call('preview the next renewal', (stripe) =>
    stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: {
        items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
        proration_behavior: 'none',
      },
    }),
  );
  return {
    subscriptionId: subscription.id,
    fromPriceId: item.priceId,
    toPriceId: input.priceId,
    currency: subscription.currency,
    prorationDate: new Date(prorationDate * 1000),
    lines: proration.map(({ description, amount, quantity, priceId, periodStart, periodEnd }) => ({
      description,
      amount,
      quantity,
      priceId,
      periodStart,
      periodEnd,
      proration: true,
    })),
    amountDue: proration.reduce((sum, line) => sum + line.amount, 0),
    nextRenewalAmount: Number((renewal as { total?: number }).total ?? 0),
  };
}

/** The next renewal invoice of each renewing subscription, as Stripe previews it (one request each, paced). */
export async function previewRenewals(
  session: StripeSession,
  subscriptions: readonly Subscription[],
): Promise<Connector.UpcomingInvoice[]> {
  const renewing = subscriptions.filter(
    (subscription) =>
      ['trialing', 'active', 'past_due'].includes(subscription.status) && !subscription.cancelAtPeriodEnd,
  );
  const customers = new Map((await session.getCustomers(renewing.map((s) => s.customerId))).map((c) => [c.id, c]));
  const out: Connector.UpcomingInvoice[] = [];
  for (const subscription of renewing) {
    const customer = customers.get(subscription.customerId);
    if (!customer || customer.deletedAt) continue;
    const preview = asObject(
      await session.call('preview the renewal', (stripe) =>
        stripe.invoices.createPreview({ subscription: subscription.id }),
      ),
    );
    const invoice = invoiceOf({ ...preview, id: preview.id ?? 'upcoming' }, session.orgId);
    out.push({
      subscriptionId: subscription.id,
      customerId: customer.id,
      customerName: customer.name,
      date: subscription.currentPeriodEnd,
      currency: invoice.currency,
      lines: invoice.lines.map((line) => ({ description: line.description, amount: line.amount })),
      subtotal: invoice.subtotal,
      discount: invoice.discount,
      tax: invoice.tax,
      total: invoice.total,
    });
  }
  return out;
}

/** Subscribes a customer (the prices' trial days applied, as Leash keeps them in metadata). */
export async function createSubscription(
  session: StripeSession,
  input: Connector.CreateSubscriptionInput,
  options: Connector.WriteOptions,
): Promise<Subscription> {
  const prices = await Promise.all(input.items.map((item) => session.getPrice(item.priceId)));
  const trialDays = input.trialDays ?? Math.max(0, ...prices.map((price) => price?.trialDays ?? 0));
  const created = await session.write(options.idempotencyKey, 'create the subscription', (stripe, request) =>
    stripe.subscriptions.create(
      {
        customer: input.customerId,
        items: input.items.map((item) => ({ price: item.priceId, quantity: item.quantity ?? 1 })),
        ...(input.couponId ? { discounts: [{ coupon: input.couponId }] } : {}),
        ...(trialDays ? { trial_period_days: trialDays } : {}),
        metadata: session.metadata(options.idempotencyKey),
        expand: ['discounts'],
      },
      request,
    ),
  );
  await session.mirror('subscription', created);
  const invoiceId = typeof created.latest_invoice === 'string' ? created.latest_invoice : created.latest_invoice?.id;
  if (invoiceId) await session.refreshInvoice(invoiceId);
  return session.mirrored(() => session.getSubscription(created.id), 'subscription', created.id);
}

/** Switches the first item's price, billing the proration at once unless `prorate` is false. */
export async function changePlan(
  session: StripeSession,
  input: Connector.ChangePlanInput,
  options: Connector.WriteOptions,
): Promise<{ subscription: Subscription; invoice: Invoice | null }> {
  const current = await session.getSubscription(input.subscriptionId);
  if (!current) throw notFound('subscription', input.subscriptionId);
  const item = current.items[0];
  if (!item) throw invalidState(`subscription ${current.id} has no items`);
  const key = options.idempotencyKey;
  const updated = await session.write(
    key,
    'change the plan',
    (stripe, request) =>
      stripe.subscriptions.update(
        current.id,
        {
          items: [{ id: item.id, price: input.priceId, quantity: input.quantity ?? item.quantity }],
          proration_behavior: input.prorate === false ? 'none' : 'always_invoice',
          metadata: { leash_last_change: key },
          expand: ['discounts'],
        },
        request,
      ),
    async (stripe) => {
      const found = await stripe.subscriptions.retrieve(current.id, { expand: ['discounts'] });
      return found.metadata?.leash_last_change === key ? found : undefined;
    },
  );
  await session.mirror('subscription', updated);
  const invoiceId = input.prorate === false ? undefined : latestInvoiceId(updated);
  const invoice = invoiceId ? await session.refreshInvoice(invoiceId) : null;
  return {
    subscription: await session.mirrored(() => session.getSubscription(current.id), 'subscription', current.id),
    invoice,
  };
}

/** Cancels now, or at the end of the period. */
export async function cancelSubscription(
  session: StripeSession,
  input: Connector.CancelSubscriptionInput,
  options: Connector.WriteOptions,
): Promise<Subscription> {
  const details = input.reason ? { cancellation_details: { comment: input.reason } } : {};
  const updated = input.atPeriodEnd
    ? await session.write(options.idempotencyKey, 'cancel the subscription at period end', (stripe, request) =>
        stripe.subscriptions.update(
          input.subscriptionId,
          { cancel_at_period_end: true, ...details, expand: ['discounts'] },
          request,
        ),
      )
    : await session.write(options.idempotencyKey, 'cancel the subscription', (stripe, request) =>
        stripe.subscriptions.cancel(input.subscriptionId, { ...details, expand: ['discounts'] }, request),
      );
  await session.mirror('subscription', updated);
  return session.mirrored(() => session.getSubscription(input.subscriptionId), 'subscription', input.subscriptionId);
}

/** Puts a coupon on a subscription. */
export async function applyCoupon(
  session: StripeSession,
  input: { subscriptionId: string; couponId: string },
  options: Connector.WriteOptions,
): Promise<Subscription> {
  const updated = await session.write(options.idempotencyKey, 'apply the coupon', (stripe, request) =>
    stripe.subscriptions.update(
      input.subscriptionId,
      { discounts: [{ coupon: input.couponId }], expand: ['discounts'] },
      request,
    ),
  );
  await session.mirror('subscription', updated);
  const coupon = await session.call('read the coupon', (stripe) => stripe.coupons.retrieve(input.couponId));
  await session.mirror('coupon', coupon);
  return session.mirrored(() => session.getSubscription(input.subscriptionId), 'subscription', input.subscriptionId);
}

/** Takes a subscription's discount off (already gone: nothing to do). */
export async function removeCoupon(
  session: StripeSession,
  input: { subscriptionId: string },
  options: Connector.WriteOptions,
): Promise<Subscription> {
  await session.write(options.idempotencyKey, 'remove the discount', (stripe) =>
    stripe.subscriptions.deleteDiscount(input.subscriptionId).catch((error: { statusCode?: number }) => {
      // Already gone (a retry after a lost answer): nothing to remove.
      if (error.statusCode === 404) return undefined;
      throw error;
    }),
  );
  return session.refreshSubscription(input.subscriptionId);
}

function latestInvoiceId(subscription: Stripe.Subscription): string | undefined {
  const latest = subscription.latest_invoice;
  return typeof latest === 'string' ? latest : latest?.id;
}
