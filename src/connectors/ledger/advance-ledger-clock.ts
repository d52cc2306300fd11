/**
 * The ledger's clock: moving it forward runs, in time order, every renewal, trial end, period-end cancellation and
 * dunning retry that falls due on the way, each at its own moment.
 */
import { sql, type Transaction } from 'kysely';
import { LIVE_SUBSCRIPTION_STATUSES } from '../../domain/billing.ts';
import { badInput } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Database } from '../../store/schema.ts';
import type { ClockReport } from '../connector.ts';
import { activeCoupon, attemptPayment, nextPeriodEnd, renewalLines, subscriptionInterval } from './engine/index.ts';
import { type Executor, LedgerReads } from './ledger-reads.ts';
import { insertCharges, nextInvoiceNumber, updateInvoice, updateSubscription } from './ledger-store.ts';
import { billNow } from './subscription-writes.ts';

/** Sets an org's clock (only forwards). */
export async function setLedgerClock(executor: Executor, orgId: string, at: Date): Promise<void> {
  await executor
    .insertInto('ledgerClocks')
    .values({ orgId, now: at })
    .onConflict((conflict) =>
      conflict.column('orgId').doUpdateSet({ now: sql`greatest(ledger_clocks.now, excluded.now)` }),
    )
    .execute();
}

async function renew(ledger: LedgerReads, subscriptionId: string, at: Date, report: ClockReport): Promise<void> {
  const subscription = await ledger.getSubscription(subscriptionId);
  if (!subscription) return;
  const executor = ledger.executorForWrites();
  if (subscription.cancelAtPeriodEnd) {
    await updateSubscription(executor, { ...subscription, status: 'canceled', endedAt: at });
    report.subscriptionsCanceled += 1;
    return;
  }
  const customer = await ledger.getCustomer(subscription.customerId);
  if (!customer) {
    // Never loop on a broken row: a subscription without its customer ends.
    await updateSubscription(executor, {
      ...subscription,
      status: 'canceled',
      endedAt: at,
      cancellationReason: 'customer_missing',
    });
    return;
  }
  const prices = new Map();
  const productNames = new Map<string, string>();
  for (const item of subscription.items) {
    const price = await ledger.getPrice(item.priceId);
    if (!price) continue;
    prices.set(price.id, price);
    productNames.set(price.productId, (await ledger.getProduct(price.productId))?.name ?? price.nickname);
  }
  const interval = subscriptionInterval(subscription.items, prices);
  const start = subscription.currentPeriodEnd;
  const end = nextPeriodEnd(subscription.billingAnchor, interval, start);
  const wasTrial = subscription.status === 'trialing';
  const usage = wasTrial
    ? []
    : await ledger.listUsage({ subscriptionId: subscription.id, from: subscription.currentPeriodStart, to: start });
  const lines = renewalLines({
    items: subscription.items,
    prices,
    productNames,
    usage,
    previousStart: subscription.currentPeriodStart,
    previousEnd: start,
    nextEnd: end,
    billLicensed: true,
  });
  const coupon = subscription.couponId ? await ledger.getCoupon(subscription.couponId) : undefined;
  const renewed = {
    ...subscription,
    status: wasTrial ? ('active' as const) : subscription.status,
    currentPeriodStart: start,
    currentPeriodEnd: end,
  };
  const billed = await billNow(ledger, renewed, {
    customer,
    number: await nextInvoiceNumber(executor, ledger.orgId),
    subscriptionId: subscription.id,
    billingReason: wasTrial ? 'subscription_create' : 'subscription_cycle',
    lines,
    coupon: activeCoupon(subscription, coupon, at),
    periodStart: start,
    periodEnd: end,
  });
  await updateSubscription(executor, {
    ...renewed,
    status: billed.status === 'past_due' ? 'past_due' : renewed.status,
  });
  report.invoicesCreated += 1;
  report.subscriptionsRenewed += 1;
  if (wasTrial) report.trialsEnded += 1;
  if (billed.invoice.status === 'paid' && billed.invoice.amountPaid > 0) report.paymentsSucceeded += 1;
  if (billed.status === 'past_due') report.paymentsFailed += 1;
}

async function retry(ledger: LedgerReads, invoiceId: string, at: Date, report: ClockReport): Promise<void> {
  const invoice = await ledger.getInvoice(invoiceId);
  if (invoice?.status !== 'open') return;
  const customer = await ledger.getCustomer(invoice.customerId);
  if (!customer) {
    await updateInvoice(ledger.executorForWrites(), { ...invoice, nextPaymentAttempt: null });
    return;
  }
  const payment = attemptPayment({ newId, now: at }, invoice, customer);
  const executor = ledger.executorForWrites();
  await updateInvoice(executor, payment.invoice);
  await insertCharges(executor, payment.charge ? [payment.charge] : []);
  if (payment.charge?.status === 'succeeded') report.paymentsSucceeded += 1;
  if (payment.charge?.status === 'failed') report.paymentsFailed += 1;
  if (!invoice.subscriptionId) return;
  const subscription = await ledger.getSubscription(invoice.subscriptionId);
  if (!subscription || subscription.status === 'canceled') return;
  if (payment.invoice.status === 'paid' && subscription.status === 'past_due') {
    await updateSubscription(executor, { ...subscription, status: 'active' });
  } else if (payment.exhausted) {
    await updateSubscription(executor, {
      ...subscription,
      status: 'canceled',
      canceledAt: at,
      endedAt: at,
      cancellationReason: 'payment_failed',
    });
    report.subscriptionsCanceled += 1;
  }
}

async function advanceIn(trx: Transaction<Database>, orgId: string, to: Date): Promise<ClockReport> {
  const ledger = new LedgerReads(trx, orgId);
  const from = await ledger.now();
  if (to.getTime() < from.getTime())
    throw badInput('to', `the ledger clock is at ${from.toISOString()}; it only moves forward`);
  const report: ClockReport = {
    from,
    to,
    invoicesCreated: 0,
    paymentsSucceeded: 0,
    paymentsFailed: 0,
    subscriptionsRenewed: 0,
    subscriptionsCanceled: 0,
    trialsEnded: 0,
  };
  for (;;) {
    const renewal = await trx
      .selectFrom('subscriptions')
      .select(['id', 'currentPeriodEnd'])
      .where('orgId', '=', orgId)
      .where('status', 'in', LIVE_SUBSCRIPTION_STATUSES)
      .where('currentPeriodEnd', '<=', to)
      .orderBy('currentPeriodEnd')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    const dunning = await trx
      .selectFrom('invoices')
      .select(['id', 'nextPaymentAttempt'])
      .where('orgId', '=', orgId)
      .where('status', '=', 'open')
      .where('nextPaymentAttempt', '<=', to)
      .orderBy('nextPaymentAttempt')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!renewal && !dunning) break;
    const renewalFirst =
      renewal &&
      (!dunning?.nextPaymentAttempt || renewal.currentPeriodEnd.getTime() <= dunning.nextPaymentAttempt.getTime());
    const at = renewalFirst ? (renewal?.currentPeriodEnd as Date) : (dunning?.nextPaymentAttempt as Date);
    await trx.updateTable('ledgerClocks').set({ now: at }).where('orgId', '=', orgId).execute();
    if (renewalFirst && renewal) await renew(ledger, renewal.id, at, report);
    else if (dunning) await retry(ledger, dunning.id, at, report);
  }
  await trx.updateTable('ledgerClocks').set({ now: to }).where('orgId', '=', orgId).execute();
  return report;
}

/** Advances the clock of `ledger`'s org to `to`. */
export async function advanceLedgerClock(ledger: LedgerReads, to: Date): Promise<ClockReport> {
  const executor = ledger.executorForWrites();
  await ledger.now();
  return executor.isTransaction
    ? advanceIn(executor as Transaction<Database>, ledger.orgId, to)
    : executor.transaction().execute((trx) => advanceIn(trx, ledger.orgId, to));
}
