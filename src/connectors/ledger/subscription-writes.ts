/** Subscription writes of the ledger: start, change plan (with proration), cancel, coupons, usage. */
import type { Coupon, Price, Subscription } from '../../domain/billing.ts';
import { badInput, invalidState, notFound } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { ChangePlanInput, CreateSubscriptionInput, PlanChangePreview } from '../connector.ts';
import {
  activeCoupon,
  attemptPayment,
  discountEndFor,
  type EngineClock,
  issueInvoice,
  licensedAmount,
  nextPeriodEnd,
  prorate,
  renewalLines,
  startSubscription,
  subscriptionInterval,
} from './engine/index.ts';
import type { LedgerReads } from './ledger-reads.ts';
import {
  insertCharges,
  insertInvoice,
  insertSubscription,
  nextInvoiceNumber,
  saveBalance,
  updateSubscription,
} from './ledger-store.ts';

/** A clock for the engine at the ledger's now. */
export async function engineClock(ledger: LedgerReads): Promise<EngineClock> {
  return { newId, now: await ledger.now() };
}

async function pricesOf(ledger: LedgerReads, priceIds: string[]) {
  const prices = new Map<string, Price>();
  for (const id of priceIds) {
    const price = await ledger.getPrice(id);
    if (!price) throw notFound('price', id);
    prices.set(id, price);
  }
  const productNames = new Map<string, string>();
  for (const price of prices.values())
    productNames.set(price.productId, (await ledger.getProduct(price.productId))?.name ?? price.nickname);
  return { prices, productNames };
}

/** Checks that a coupon may be used by a customer. */
export function checkCoupon(coupon: Coupon, country: string): void {
  if (!coupon.valid) throw invalidState(`coupon ${coupon.code} is no longer valid`);
  if (coupon.maxRedemptions !== null && coupon.timesRedeemed >= coupon.maxRedemptions)
    throw invalidState(`coupon ${coupon.code} has been redeemed the maximum number of times`);
  if (coupon.countries.length > 0 && !coupon.countries.includes(country))
    throw invalidState(`coupon ${coupon.code} is only for ${coupon.countries.join(', ')}`);
}

// One statement, counted in the database: two redemptions at once (two workers of one bulk job) both count, and
// neither passes a coupon's maximum.
async function redeem(ledger: LedgerReads, coupon: Coupon): Promise<void> {
  const updated = await ledger
    .executorForWrites()
    .updateTable('coupons')
    .set((eb) => ({ timesRedeemed: eb('timesRedeemed', '+', 1) }))
    .where('orgId', '=', ledger.orgId)
    .where('id', '=', coupon.id)
    .where((eb) => eb.or([eb('maxRedemptions', 'is', null), eb('timesRedeemed', '<', eb.ref('maxRedemptions'))]))
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    throw invalidState(`coupon ${coupon.code} has been redeemed the maximum number of times`);
}

/** Bills an invoice for a subscription now and tries the card; returns the invoice as it ends up. */
export async function billNow(
  ledger: LedgerReads,
  subscription: Subscription,
  input: Parameters<typeof issueInvoice>[1],
) {
  const executor = ledger.executorForWrites();
  const clock = await engineClock(ledger);
  const issued = issueInvoice(clock, input);
  await saveBalance(executor, issued.customer, issued.balanceTransactions);
  const payment = attemptPayment(clock, issued.invoice, issued.customer);
  await insertInvoice(executor, payment.invoice);
  await insertCharges(executor, payment.charge ? [payment.charge] : []);
  const failed = payment.invoice.status === 'open' && payment.charge?.status === 'failed';
  return { invoice: payment.invoice, status: failed ? ('past_due' as const) : subscription.status };
}

/** Starts a subscription; without a trial the first invoice is issued and charged at once. */
export async function createSubscription(ledger: LedgerReads, input: CreateSubscriptionInput): Promise<Subscription> {
  const customer = await ledger.getCustomer(input.customerId);
  if (!customer) throw notFound('customer', input.customerId);
  if (input.items.length === 0) throw badInput('items', 'a subscription needs at least one price');
  const { prices, productNames } = await pricesOf(
    ledger,
    input.items.map((item) => item.priceId),
  );
  for (const price of prices.values()) {
    if (price.currency !== customer.currency)
      throw badInput(
        'price',
        `price ${price.id} is in ${price.currency.toUpperCase()}; ${customer.name} is billed in ${customer.currency.toUpperCase()}`,
      );
    if (!price.active) throw invalidState(`price ${price.id} is no longer sold`);
  }
  const coupon = input.couponId ? await ledger.getCoupon(input.couponId) : undefined;
  if (input.couponId && !coupon) throw notFound('coupon', input.couponId);
  if (coupon) checkCoupon(coupon, customer.country);
  const clock = await engineClock(ledger);
  const id = newId('subscription');
  const items = input.items.map((item) => ({
    id: newId('subscriptionItem'),
    subscriptionId: id,
    priceId: item.priceId,
    quantity: item.quantity ?? 1,
  }));
  const interval = subscriptionInterval(items, prices);
  const firstPrice = prices.get(items[0]?.priceId ?? '');
  const trialDays = input.trialDays ?? firstPrice?.trialDays ?? 0;
  let subscription = startSubscription({
    id,
    orgId: ledger.orgId,
    customerId: customer.id,
    currency: customer.currency,
    items,
    interval,
    trialDays,
    coupon: coupon ?? null,
    now: clock.now,
  });
  await insertSubscription(ledger.executorForWrites(), subscription);
  if (coupon) await redeem(ledger, coupon);
  if (subscription.status === 'trialing') return subscription;
  const lines = renewalLines({
    items,
    prices,
    productNames,
    usage: [],
    previousStart: clock.now,
    previousEnd: clock.now,
    nextEnd: subscription.currentPeriodEnd,
    billLicensed: true,
  });
  const billed = await billNow(ledger, subscription, {
    customer,
    number: await nextInvoiceNumber(ledger.executorForWrites(), ledger.orgId),
    subscriptionId: id,
    billingReason: 'subscription_create',
    lines,
    coupon: activeCoupon(subscription, coupon, clock.now),
    periodStart: clock.now,
    periodEnd: subscription.currentPeriodEnd,
  });
  subscription = { ...subscription, status: billed.status };
  await updateSubscription(ledger.executorForWrites(), subscription);
  return subscription;
}

async function planChange(ledger: LedgerReads, input: ChangePlanInput) {
  const subscription = await ledger.getSubscription(input.subscriptionId);
  if (!subscription) throw notFound('subscription', input.subscriptionId);
  if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
  const { prices, productNames } = await pricesOf(ledger, [
    ...subscription.items.map((item) => item.priceId),
    input.priceId,
  ]);
  const item =
    subscription.items.find((candidate) => !prices.get(candidate.priceId)?.usageMetric) ?? subscription.items[0];
  if (!item) throw invalidState(`subscription ${subscription.id} has no items`);
  const from = prices.get(item.priceId) as Price;
  const to = prices.get(input.priceId) as Price;
  if (to.currency !== subscription.currency)
    throw badInput(
      'price_id',
      `price ${to.id} is in ${to.currency.toUpperCase()}, the subscription bills in ${subscription.currency.toUpperCase()}`,
    );
  if (to.usageMetric) throw badInput('price_id', 'a plan change moves to a licensed price, not a metered one');
  const quantity = input.quantity ?? item.quantity;
  if (to.id === from.id && quantity === item.quantity)
    throw invalidState(`subscription ${subscription.id} is already on ${to.id}`);
  const now = await ledger.now();
  const trialing = subscription.status === 'trialing';
  const proration = prorate({
    from,
    fromQuantity: item.quantity,
    to,
    toQuantity: quantity,
    periodStart: subscription.currentPeriodStart,
    periodEnd: subscription.currentPeriodEnd,
    at: now,
    fromName: productNames.get(from.productId) ?? from.id,
    toName: productNames.get(to.productId) ?? to.id,
  });
  const lines = trialing || input.prorate === false ? [] : proration.lines;
  return { subscription, item, from, to, quantity, now, proration, lines };
}

/** What a plan change would bill now, without changing anything. */
export async function previewPlanChange(ledger: LedgerReads, input: ChangePlanInput): Promise<PlanChangePreview> {
  const change = await planChange(ledger, input);
  return {
    subscriptionId: change.subscription.id,
    fromPriceId: change.from.id,
    toPriceId: change.to.id,
    currency: change.subscription.currency,
    prorationDate: change.now,
    lines: change.lines,
    amountDue: change.lines.reduce((sum, line) => sum + line.amount, 0),
    nextRenewalAmount: licensedAmount(change.to, change.quantity),
  };
}

/** Moves a subscription to another price, billing the proration at once. */
export async function changePlan(ledger: LedgerReads, input: ChangePlanInput) {
  const change = await planChange(ledger, input);
  const executor = ledger.executorForWrites();
  let subscription: Subscription = {
    ...change.subscription,
    items: change.subscription.items.map((item) =>
      item.id === change.item.id ? { ...item, priceId: change.to.id, quantity: change.quantity } : item,
    ),
    ...(change.proration.restartsPeriod && change.subscription.status !== 'trialing'
      ? {
          currentPeriodStart: change.proration.newPeriodStart,
          currentPeriodEnd: change.proration.newPeriodEnd,
          billingAnchor: change.now,
        }
      : {}),
  };
  let invoice = null;
  if (change.lines.length > 0) {
    const customer = await ledger.getCustomer(subscription.customerId);
    if (!customer) throw notFound('customer', subscription.customerId);
    const billed = await billNow(ledger, subscription, {
      customer,
      number: await nextInvoiceNumber(executor, ledger.orgId),
      subscriptionId: subscription.id,
      billingReason: 'subscription_update',
      lines: change.lines,
      periodStart: change.now,
      periodEnd: subscription.currentPeriodEnd,
    });
    invoice = billed.invoice;
    subscription = { ...subscription, status: billed.status };
  }
  await updateSubscription(executor, subscription, true);
  return { subscription, invoice };
}

/** Cancels now or at the end of the period. */
export async function cancelSubscription(
  ledger: LedgerReads,
  input: { subscriptionId: string; atPeriodEnd: boolean; reason?: string },
): Promise<Subscription> {
  const subscription = await ledger.getSubscription(input.subscriptionId);
  if (!subscription) throw notFound('subscription', input.subscriptionId);
  if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is already canceled`);
  const now = await ledger.now();
  const changed: Subscription = input.atPeriodEnd
    ? { ...subscription, cancelAtPeriodEnd: true, canceledAt: now, cancellationReason: input.reason ?? 'requested' }
    : {
        ...subscription,
        status: 'canceled',
        canceledAt: now,
        endedAt: now,
        cancellationReason: input.reason ?? 'requested',
      };
  await updateSubscription(ledger.executorForWrites(), changed);
  return changed;
}

/** Applies a coupon to the next invoices of a subscription. */
export async function applyCoupon(
  ledger: LedgerReads,
  input: { subscriptionId: string; couponId: string },
): Promise<Subscription> {
  const subscription = await ledger.getSubscription(input.subscriptionId);
  if (!subscription) throw notFound('subscription', input.subscriptionId);
  if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
  const coupon = await ledger.getCoupon(input.couponId);
  if (!coupon) throw notFound('coupon', input.couponId);
  const customer = await ledger.getCustomer(subscription.customerId);
  checkCoupon(coupon, customer?.country ?? '');
  const interval = subscriptionInterval(
    subscription.items,
    (
      await pricesOf(
        ledger,
        subscription.items.map((item) => item.priceId),
      )
    ).prices,
  );
  const following = nextPeriodEnd(subscription.billingAnchor, interval, subscription.currentPeriodEnd);
  const changed: Subscription = {
    ...subscription,
    couponId: coupon.id,
    discountEnd: discountEndFor(coupon, subscription.currentPeriodEnd, following),
  };
  await updateSubscription(ledger.executorForWrites(), changed);
  await redeem(ledger, coupon);
  return changed;
}

/** Removes a subscription's coupon. */
export async function removeCoupon(ledger: LedgerReads, input: { subscriptionId: string }): Promise<Subscription> {
  const subscription = await ledger.getSubscription(input.subscriptionId);
  if (!subscription) throw notFound('subscription', input.subscriptionId);
  if (!subscription.couponId) throw invalidState(`subscription ${subscription.id} has no coupon`);
  const changed: Subscription = { ...subscription, couponId: null, discountEnd: null };
  await updateSubscription(ledger.executorForWrites(), changed);
  return changed;
}

/** Marks an invoice's payment as given up: uncollectible, and its subscription canceled for non-payment. */
export async function giveUpOnSubscription(ledger: LedgerReads, subscriptionId: string, at: Date): Promise<boolean> {
  const subscription = await ledger.getSubscription(subscriptionId);
  if (!subscription || subscription.status === 'canceled') return false;
  await updateSubscription(ledger.executorForWrites(), {
    ...subscription,
    status: 'canceled',
    canceledAt: at,
    endedAt: at,
    cancellationReason: 'payment_failed',
  });
  return true;
}
