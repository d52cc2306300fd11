/**
 * The demo business, simulated day by day through the ledger's own engine (renewals, proration, coupons, tax,
 * deterministic card payments, dunning): signups, trials, upgrades, downgrades, churn, reactivation, usage,
 * regional payment failures, overdue manual invoices, a few duplicate subscriptions and double charges.
 * Everything comes from the seed: the same seed and end date give byte-identical data.
 */

import { sql } from 'kysely';
import {
  activeCoupon,
  addDays,
  addInterval,
  attemptPayment,
  defaultTaxRate,
  type EngineClock,
  issueInvoice,
  type LineDraft,
  nextPeriodEnd,
  prorate,
  receivePayment,
  renewalLines,
  startSubscription,
} from '../connectors/ledger/engine/index.ts';
import type { Charge, Customer, Invoice, PaymentMethod, Refund, Subscription, UsageRecord } from '../domain/billing.ts';
import { sequentialIdFactory } from '../domain/ids.ts';
import type { Store } from '../store/db.ts';
import { buildCatalog, type DemoCatalog, PLAN_KEYS, type PlanKey } from './catalog.ts';
import { COUNTRY_CARDS, COUNTRY_CURRENCY, type DemoCompany, demoCompany } from './companies.ts';
import { DemoWriter } from './demo-writer.ts';
import { mainDemoCurrency, plantChurn } from './plant-churn.ts';
import { SeededRandom } from './random.ts';

/** Options of the generator. */
export interface DemoOptions {
  orgId: string;
  customers?: number;
  seed?: string;
  months?: number;
  /** The last moment of the history (the ledger clock ends here). */
  endAt: Date;
  /**
   * The demo people explore (`leash demo`, `npm start`): plant a few subscriptions lost to failed payments in the
   * last three months (see plant-churn.ts), and keep a planted double checkout on one plan (no later plan change
   * of either subscription). Off by default: the eval and bench businesses name ids and invoice numbers that
   * either would shift.
   */
  plantChurn?: boolean;
  onProgress?: (progress: { phase: string; done: number; total: number }) => void;
}

/** What the demo contains. */
export interface DemoSummary {
  seed: string;
  from: string;
  to: string;
  customers: number;
  subscriptions: Record<string, number>;
  invoices: number;
  overdueInvoices: number;
  charges: number;
  failedPayments: Record<string, number>;
  refunds: number;
  duplicateSubscriptions: string[];
  doubleCharges: string[];
  rowsWritten: number;
  seconds: number;
}

type DemoEvent =
  | { type: 'renew'; subscriptionId: string; at: Date }
  | { type: 'retry'; invoiceId: string; at: Date }
  | { type: 'change'; subscriptionId: string; at: Date; direction: 1 | -1 }
  | { type: 'cancel_now'; subscriptionId: string; at: Date }
  | { type: 'card_update'; customerId: string; at: Date }
  | { type: 'reactivate'; customerId: string; at: Date }
  | { type: 'pay_manual'; invoiceId: string; at: Date }
  | { type: 'manual_invoice'; customerId: string; at: Date };

const DAY = 86_400_000;

/** Generates the demo business into an org of the store. */
export async function generateDemo(store: Store, options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const seed = options.seed ?? 'leash';
  const customerCount = options.customers ?? 300;
  const months = options.months ?? 24;
  const random = new SeededRandom(`${seed}:${customerCount}:${months}:${options.endAt.toISOString()}`);
  const newId = sequentialIdFactory('demo');
  const end = options.endAt;
  const start = addInterval(end, 'month', -months);
  const totalDays = Math.round((end.getTime() - start.getTime()) / DAY);
  const clock: EngineClock = { newId, now: start };
  const writer = new DemoWriter(store.db);
  const catalog = buildCatalog(options.orgId, newId, start);
  writer.addRows(
    'products',
    catalog.products.map((product) => ({ ...product, limits: JSON.stringify(product.limits) })),
  );
  writer.addRows(
    'prices',
    catalog.prices.map((price) => ({ ...price, tiers: JSON.stringify(price.tiers) })),
  );
  writer.addRows(
    'coupons',
    catalog.coupons.map((coupon) => ({ ...coupon, countries: JSON.stringify(coupon.countries) })),
  );

  const customers = new Map<string, Customer>();
  const subscriptions = new Map<string, Subscription>();
  /** Subscription ids by customer, so a reactivation need not scan every subscription. */
  const subscriptionsOf = new Map<string, string[]>();
  const openInvoices = new Map<string, Invoice>();
  const buckets = new Map<number, DemoEvent[]>();
  const counts = { invoices: 0, charges: 0, refunds: 0, failed: {} as Record<string, number> };
  const duplicates: string[] = [];
  const doubleCharges: string[] = [];
  let invoiceNumber = 0;
  const number = () => `INV-${String(++invoiceNumber).padStart(6, '0')}`;
  const dayOf = (at: Date) => Math.floor((at.getTime() - start.getTime()) / DAY);
  const schedule = (event: DemoEvent) => {
    const day = dayOf(event.at);
    if (day > totalDays || event.at.getTime() > end.getTime()) return;
    const list = buckets.get(day) ?? [];
    list.push(event);
    buckets.set(day, list);
  };
  const companies: DemoCompany[] = Array.from({ length: customerCount }, (_, index) => demoCompany(index, random));
  // Named companies are early customers; nearly half of the rest are the base the business started the window
  // with (they join in its first two months), and the others sign up on a growth curve.
  // Every customer signs up before the end of the window, so the demo has exactly the customers asked for.
  const lastSignupDay = Math.max(0, totalDays - 1);
  const signupDays = companies.map((_, index) =>
    Math.min(
      lastSignupDay,
      index < 20
        ? index * 3
        : random.chance(0.45)
          ? random.int(0, Math.min(60, totalDays))
          : Math.floor(totalDays * random.next() ** 0.75),
    ),
  );
  const namedDoubleChargeFrom = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 2, 1);
  const doubleChargeTargets = new Set<number>([
    0,
    3,
    ...Array.from({ length: Math.max(1, Math.floor(customerCount / 150)) }, () => random.int(20, customerCount - 1)),
  ]);
  const duplicateTargets = new Set<number>([
    1,
    ...Array.from({ length: Math.max(2, Math.floor(customerCount / 100)) }, () => random.int(20, customerCount - 1)),
  ]);
  const customerIndex = new Map<string, number>();
  const hasStory = (customerId: string) => {
    const index = customerIndex.get(customerId) ?? 0;
    return index < 20 || doubleChargeTargets.has(index) || duplicateTargets.has(index);
  };
  const churnPlanting = options.plantChurn
    ? plantChurn({ end, currency: mainDemoCurrency(companies), hasStory })
    : undefined;

  const cardFor = (company: DemoCompany, at: Date, months = random.int(4, 40)): PaymentMethod => {
    const expiry = addInterval(at, 'month', months);
    return {
      brand: random.pick(COUNTRY_CARDS[company.country]),
      last4: String(random.int(0, 9999)).padStart(4, '0'),
      expMonth: expiry.getUTCMonth() + 1,
      expYear: expiry.getUTCFullYear(),
      country: company.country,
    };
  };

  // New invoices are written at once (charges point at them); later changes go out as set-based updates.
  const finishInvoice = (invoice: Invoice, isNew: boolean) => {
    if (isNew) writer.addInvoice(invoice);
    else writer.updateInvoice(invoice);
    if (invoice.status === 'open') openInvoices.set(invoice.id, invoice);
    else openInvoices.delete(invoice.id);
  };

  const recordCharge = (charge: Charge | null, customer: Customer) => {
    if (!charge) return;
    counts.charges += 1;
    if (charge.status === 'failed' && charge.failureCode)
      counts.failed[charge.failureCode] = (counts.failed[charge.failureCode] ?? 0) + 1;
    let stored = charge;
    // A few refunds: goodwill and disputes settled, days after the payment.
    if (charge.status === 'succeeded' && random.chance(0.012)) {
      const amount = random.chance(0.5) ? charge.amount : Math.max(1, Math.floor(charge.amount / 2));
      const refund: Refund = {
        id: newId('refund'),
        orgId: options.orgId,
        chargeId: charge.id,
        amount,
        currency: charge.currency,
        reason: random.pick(['requested_by_customer', 'service outage credit', 'duplicate']),
        createdAt: new Date(charge.createdAt.getTime() + random.int(1, 5) * DAY),
      };
      stored = { ...charge, amountRefunded: amount };
      writer.addRefund(refund);
      counts.refunds += 1;
    }
    writer.addCharge(stored);
    const index = customerIndex.get(customer.id) ?? -1;
    // A double charge: the processor captured the same payment twice a few minutes apart. The named companies'
    // (Acme Corp's) is their first payment since the 1st of the month two months back: inside the window a
    // "charged twice?" question searches, and not the latest invoice, which "refund the last invoice" refunds whole.
    if (
      stored.status === 'succeeded' &&
      doubleChargeTargets.has(index) &&
      charge.createdAt.getTime() > (index < 4 ? namedDoubleChargeFrom : end.getTime() - 100 * DAY) &&
      !doubleCharges.includes(customer.id)
    ) {
      writer.addCharge({
        ...stored,
        id: newId('charge'),
        amountRefunded: 0,
        createdAt: new Date(charge.createdAt.getTime() + 3 * 60_000),
      });
      counts.charges += 1;
      doubleCharges.push(customer.id);
    }
  };

  const bill = (
    subscription: Subscription,
    customer: Customer,
    lines: LineDraft[],
    reason: Invoice['billingReason'],
    periodStart: Date | null,
    periodEnd: Date | null,
  ) => {
    const coupon = subscription.couponId
      ? catalog.coupons.find((item) => item.id === subscription.couponId)
      : undefined;
    const issued = issueInvoice(clock, {
      customer,
      number: number(),
      subscriptionId: subscription.id,
      billingReason: reason,
      lines,
      coupon: activeCoupon(subscription, coupon, clock.now),
      periodStart,
      periodEnd,
    });
    counts.invoices += 1;
    const current = issued.customer;
    customers.set(current.id, current);
    writer.addBalanceTransactions(issued.balanceTransactions);
    const payment = attemptPayment(clock, issued.invoice, current);
    finishInvoice(payment.invoice, true);
    recordCharge(payment.charge, current);
    if (payment.invoice.status === 'open' && !current.paymentMethod) {
      // No card on file: the customer pays by bank transfer, usually within a few weeks.
      if (clock.now.getTime() < end.getTime() - 80 * DAY || random.chance(0.6))
        schedule({ type: 'pay_manual', invoiceId: payment.invoice.id, at: addDays(clock.now, random.int(3, 35)) });
    }
    if (payment.invoice.status === 'open' && payment.invoice.nextPaymentAttempt) {
      schedule({ type: 'retry', invoiceId: payment.invoice.id, at: payment.invoice.nextPaymentAttempt });
      const updatesCard = !churnPlanting?.keepsExpiredCard(customer.id);
      if (payment.charge?.failureCode === 'expired_card' && updatesCard && random.chance(0.65))
        schedule({ type: 'card_update', customerId: customer.id, at: addDays(clock.now, random.int(1, 6)) });
    }
    return payment.invoice.status === 'open' ? 'past_due' : 'active';
  };

  const subscribe = (
    customer: Customer,
    plan: PlanKey,
    interval: 'month' | 'year',
    trial: boolean,
    couponCode: string | null,
    withApi: boolean,
  ) => {
    const price = catalog.planPrice(plan, customer.currency, interval);
    const id = newId('subscription');
    const items = [{ id: newId('subscriptionItem'), subscriptionId: id, priceId: price.id, quantity: 1 }];
    if (withApi && interval === 'month')
      items.push({
        id: newId('subscriptionItem'),
        subscriptionId: id,
        priceId: catalog.apiPrice(customer.currency).id,
        quantity: 1,
      });
    const coupon = couponCode ? catalog.coupon(couponCode) : null;
    let subscription = startSubscription({
      id,
      orgId: options.orgId,
      customerId: customer.id,
      currency: customer.currency,
      items,
      interval,
      trialDays: trial ? price.trialDays || 14 : 0,
      coupon,
      now: clock.now,
    });
    if (subscription.status !== 'trialing') {
      const lines = renewalLines({
        items,
        prices: priceMap,
        productNames,
        usage: [],
        previousStart: clock.now,
        previousEnd: clock.now,
        nextEnd: subscription.currentPeriodEnd,
        billLicensed: true,
      });
      const status = bill(
        subscription,
        customers.get(customer.id) as Customer,
        lines,
        'subscription_create',
        clock.now,
        subscription.currentPeriodEnd,
      );
      subscription = { ...subscription, status };
    }
    subscriptions.set(id, subscription);
    const owned = subscriptionsOf.get(customer.id);
    if (owned) owned.push(id);
    else subscriptionsOf.set(customer.id, [id]);
    writer.addSubscription(subscription);
    schedule({ type: 'renew', subscriptionId: id, at: subscription.currentPeriodEnd });
    return subscription;
  };

  const priceMap = new Map(catalog.prices.map((price) => [price.id, price]));
  const productNames = new Map(catalog.products.map((product) => [product.id, product.name]));

  const signup = (index: number) => {
    const company = companies[index] as DemoCompany;
    const currency = COUNTRY_CURRENCY[company.country];
    const customer: Customer = {
      id: newId('customer'),
      orgId: options.orgId,
      name: company.name,
      email: company.email,
      country: company.country,
      address: { line1: `${random.int(1, 999)} Market Street`, city: company.city, country: company.country },
      metadata: random.chance(0.05) ? { payment_risk: 'high' } : {},
      currency,
      balance: 0,
      paymentMethod:
        index < 4 ? cardFor(company, clock.now, 60) : random.chance(0.985) ? cardFor(company, clock.now) : null,
      taxRateBps: defaultTaxRate(company.country),
      createdAt: clock.now,
      deletedAt: null,
    };
    customers.set(customer.id, customer);
    customerIndex.set(customer.id, index);
    writer.addCustomer(customer);
    if (index === 2)
      schedule({ type: 'manual_invoice', customerId: customer.id, at: new Date(end.getTime() - 50 * DAY) });
    const legacyOpen = clock.now.getTime() < start.getTime() + 240 * DAY;
    const plan = random.weighted(
      legacyOpen ? { starter: 35, basic: 35, pro: 22, business: 8 } : { starter: 0, basic: 50, pro: 37, business: 13 },
    ) as PlanKey;
    // The first named companies stay monthly, so their stories (Globex's double checkout) land in recent history.
    const interval = random.chance(0.2) && index >= 4 ? 'year' : 'month';
    const regional = company.country === 'IN' ? 'INDIA40' : company.country === 'BR' ? 'BRAZIL35' : null;
    const coupon =
      regional && random.chance(0.5) ? regional : random.chance(0.12) ? random.pick(['WELCOME10', 'LAUNCH50']) : null;
    subscribe(
      customer,
      plan,
      interval,
      plan !== 'starter' && random.chance(0.4),
      coupon,
      (plan === 'pro' || plan === 'business') && random.chance(0.45),
    );
    // Some customers also owe one-off invoices (onboarding, extra seats) on 30-day terms.
    if (random.chance(0.03)) issueManualInvoice(customer.id);
  };

  const issueManualInvoice = (customerId: string) => {
    const customer = customers.get(customerId) as Customer;
    const currency = customer.currency;
    {
      const issued = issueInvoice(clock, {
        customer,
        number: number(),
        subscriptionId: null,
        billingReason: 'manual',
        lines: [
          {
            description: 'Onboarding and data migration',
            amount: catalog.planPrice('pro', currency, 'month').unitAmount * 3,
            quantity: 1,
            priceId: null,
            periodStart: null,
            periodEnd: null,
            proration: false,
          },
        ],
        daysUntilDue: 30,
      });
      counts.invoices += 1;
      customers.set(customer.id, issued.customer);
      writer.addBalanceTransactions(issued.balanceTransactions);
      finishInvoice({ ...issued.invoice, sentAt: clock.now }, true);
      // Older invoices were paid by transfer; some recent ones are still waiting, and overdue.
      const recent = clock.now.getTime() > end.getTime() - 80 * DAY;
      if (!recent || random.chance(0.4))
        schedule({ type: 'pay_manual', invoiceId: issued.invoice.id, at: addDays(clock.now, random.int(5, 40)) });
    }
  };

  const renew = (event: Extract<DemoEvent, { type: 'renew' }>) => {
    const subscription = subscriptions.get(event.subscriptionId);
    if (
      !subscription ||
      subscription.status === 'canceled' ||
      subscription.currentPeriodEnd.getTime() !== event.at.getTime()
    )
      return;
    const customer = customers.get(subscription.customerId) as Customer;
    if (subscription.cancelAtPeriodEnd) {
      subscriptions.set(subscription.id, { ...subscription, status: 'canceled', endedAt: clock.now });
      if (random.chance(0.15))
        schedule({ type: 'reactivate', customerId: customer.id, at: addDays(clock.now, random.int(20, 150)) });
      return;
    }
    const interval = priceMap.get(subscription.items[0]?.priceId ?? '')?.interval ?? 'month';
    const periodEnd = nextPeriodEnd(subscription.billingAnchor, interval, subscription.currentPeriodEnd);
    const usage: UsageRecord[] = [];
    const apiItem = subscription.items.find((item) => priceMap.get(item.priceId)?.usageMetric);
    if (apiItem && subscription.status !== 'trialing') {
      const record: UsageRecord = {
        id: newId('usageRecord'),
        orgId: options.orgId,
        subscriptionId: subscription.id,
        metric: 'api_calls_thousands',
        quantity: random.int(20, 900),
        timestamp: new Date(subscription.currentPeriodEnd.getTime() - DAY),
      };
      usage.push(record);
      writer.addUsage(record);
    }
    const lines = renewalLines({
      items: subscription.items,
      prices: priceMap,
      productNames,
      usage,
      previousStart: subscription.currentPeriodStart,
      previousEnd: subscription.currentPeriodEnd,
      nextEnd: periodEnd,
      billLicensed: true,
    });
    const payer = churnPlanting?.payerAtRenewal(customer, subscription, interval === 'month', clock.now) ?? customer;
    const status = bill(
      subscription,
      payer,
      lines,
      subscription.status === 'trialing' ? 'subscription_create' : 'subscription_cycle',
      subscription.currentPeriodEnd,
      periodEnd,
    );
    const renewed: Subscription = {
      ...subscription,
      status: status === 'past_due' ? 'past_due' : 'active',
      currentPeriodStart: subscription.currentPeriodEnd,
      currentPeriodEnd: periodEnd,
    };
    subscriptions.set(renewed.id, renewed);
    schedule({ type: 'renew', subscriptionId: renewed.id, at: periodEnd });
    // What this customer does during the coming period.
    const plan = catalog.planOfPrice(renewed.items[0]?.priceId ?? '') ?? 'basic';
    const months = interval === 'year' ? 12 : 1;
    const churn = { starter: 0.045, basic: 0.03, pro: 0.02, business: 0.012 }[plan] * months;
    const within = (days: number) =>
      addDays(
        clock.now,
        Math.min(days, Math.max(1, Math.floor((periodEnd.getTime() - clock.now.getTime()) / DAY) - 1)),
      );
    // The seeds' example customers (Acme Corp, Globex, Initech, widget-inc) stay, so their stories can be told.
    const keep = (customerIndex.get(customer.id) ?? 99) < 4;
    if (!keep && random.chance(churn))
      subscriptions.set(renewed.id, {
        ...renewed,
        cancelAtPeriodEnd: true,
        canceledAt: within(random.int(1, 25)),
        cancellationReason: random.pick(['too_expensive', 'missing_features', 'switched_service', 'unused']),
      });
    else if (!keep && random.chance(0.003 * months))
      schedule({ type: 'cancel_now', subscriptionId: renewed.id, at: within(random.int(1, 20)) });
    else if (random.chance(0.05))
      schedule({ type: 'change', subscriptionId: renewed.id, at: within(random.int(3, 25)), direction: 1 });
    else if (random.chance(0.022))
      schedule({ type: 'change', subscriptionId: renewed.id, at: within(random.int(3, 25)), direction: -1 });
    const index = customerIndex.get(customer.id) ?? -1;
    if (
      duplicateTargets.has(index) &&
      !duplicates.includes(customer.id) &&
      clock.now.getTime() > end.getTime() - 75 * DAY &&
      renewed.status === 'active'
    ) {
      // The duplicate: the same customer subscribed again to the same plan (a double checkout), both active.
      duplicates.push(customer.id);
      subscribe(customers.get(customer.id) as Customer, plan, interval, false, null, false);
    }
  };

  const change = (event: Extract<DemoEvent, { type: 'change' }>) => {
    const subscription = subscriptions.get(event.subscriptionId);
    if (subscription?.status !== 'active' || subscription.cancelAtPeriodEnd) return;
    // In the demo people explore, a planted double checkout stays one: neither subscription of the pair moves to
    // another plan afterwards. (Not in the eval and bench businesses: their histories stay as they always were,
    // since held-out sets name their ids and amounts.)
    if (options.plantChurn && duplicates.includes(subscription.customerId)) return;
    const item = subscription.items[0];
    const from = item ? priceMap.get(item.priceId) : undefined;
    const plan = from ? catalog.planOfPrice(from.id) : undefined;
    if (!item || !from || !plan) return;
    const position = PLAN_KEYS.indexOf(plan) + event.direction;
    const target = PLAN_KEYS[position];
    if (!target || target === 'starter') return;
    const to = catalog.planPrice(target, subscription.currency, from.interval ?? 'month');
    const proration = prorate({
      from,
      fromQuantity: 1,
      to,
      toQuantity: 1,
      periodStart: subscription.currentPeriodStart,
      periodEnd: subscription.currentPeriodEnd,
      at: clock.now,
      fromName: productNames.get(from.productId) ?? '',
      toName: productNames.get(to.productId) ?? '',
    });
    const changed: Subscription = {
      ...subscription,
      items: subscription.items.map((candidate, position) =>
        position === 0 ? { ...candidate, priceId: to.id } : candidate,
      ),
    };
    const status = proration.lines.length
      ? bill(
          changed,
          customers.get(subscription.customerId) as Customer,
          proration.lines,
          'subscription_update',
          clock.now,
          subscription.currentPeriodEnd,
        )
      : 'active';
    subscriptions.set(changed.id, { ...changed, status: status === 'past_due' ? 'past_due' : changed.status });
  };

  const retry = (event: Extract<DemoEvent, { type: 'retry' }>) => {
    const invoice = openInvoices.get(event.invoiceId);
    if (!invoice || invoice.nextPaymentAttempt?.getTime() !== event.at.getTime()) return;
    const customer = customers.get(invoice.customerId) as Customer;
    const payment = attemptPayment(clock, invoice, customer);
    finishInvoice(payment.invoice, false);
    recordCharge(payment.charge, customer);
    const subscription = invoice.subscriptionId ? subscriptions.get(invoice.subscriptionId) : undefined;
    if (payment.invoice.nextPaymentAttempt)
      schedule({ type: 'retry', invoiceId: invoice.id, at: payment.invoice.nextPaymentAttempt });
    if (!subscription || subscription.status === 'canceled') return;
    if (payment.invoice.status === 'paid' && subscription.status === 'past_due')
      subscriptions.set(subscription.id, { ...subscription, status: 'active' });
    if (payment.exhausted)
      subscriptions.set(subscription.id, {
        ...subscription,
        status: 'canceled',
        canceledAt: clock.now,
        endedAt: clock.now,
        cancellationReason: 'payment_failed',
      });
  };

  const handle = (event: DemoEvent) => {
    clock.now = event.at;
    if (event.type === 'renew') renew(event);
    else if (event.type === 'retry') retry(event);
    else if (event.type === 'change') change(event);
    else if (event.type === 'cancel_now') {
      const subscription = subscriptions.get(event.subscriptionId);
      if (subscription && subscription.status !== 'canceled')
        subscriptions.set(subscription.id, {
          ...subscription,
          status: 'canceled',
          canceledAt: clock.now,
          endedAt: clock.now,
          cancellationReason: 'requested',
        });
    } else if (event.type === 'card_update') {
      const customer = customers.get(event.customerId) as Customer;
      const company = companies[customerIndex.get(customer.id) ?? 0] as DemoCompany;
      customers.set(customer.id, { ...customer, paymentMethod: cardFor(company, addInterval(clock.now, 'month', 24)) });
    } else if (event.type === 'reactivate') {
      const customer = customers.get(event.customerId) as Customer;
      const live = (subscriptionsOf.get(customer.id) ?? []).some((id) => subscriptions.get(id)?.status !== 'canceled');
      if (!live)
        subscribe(
          customer,
          random.pick(['basic', 'pro'] as const),
          'month',
          false,
          random.chance(0.5) ? 'WELCOME10' : null,
          false,
        );
    } else if (event.type === 'manual_invoice') {
      issueManualInvoice(event.customerId);
    } else if (event.type === 'pay_manual') {
      const invoice = openInvoices.get(event.invoiceId);
      if (!invoice) return;
      const paid = receivePayment(
        clock,
        invoice,
        invoice.amountRemaining,
        `bank transfer ${random.int(100000, 999999)}`,
      );
      finishInvoice(paid.invoice, false);
      recordCharge(paid.charge, customers.get(invoice.customerId) as Customer);
    }
  };

  const signupsByDay = new Map<number, number[]>();
  signupDays.forEach((day, index) => {
    const onDay = signupsByDay.get(day);
    if (onDay) onDay.push(index);
    else signupsByDay.set(day, [index]);
  });
  for (let day = 0; day <= totalDays; day += 1) {
    for (const index of signupsByDay.get(day) ?? []) {
      // Office hours, 08:00 to 18:00 UTC, spread by customer.
      clock.now = new Date(start.getTime() + day * DAY + 8 * 3_600_000 + (index % 36_000) * 1000);
      signup(index);
    }
    // Events are handled in time order (ties in the order they were scheduled); a handler may add more for today.
    for (let events = buckets.get(day); events; events = buckets.get(day)) {
      buckets.delete(day);
      events.sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const event of events) handle(event);
    }
    if (day % 30 === 29 || day === totalDays) {
      options.onProgress?.({ phase: `simulating ${months} months of billing`, done: day, total: totalDays });
      await writer.flush();
    }
  }
  await writer.flush();
  options.onProgress?.({ phase: 'finishing', done: totalDays, total: totalDays });
  await writer.finalize(customers.values(), subscriptions.values());
  await store.db
    .insertInto('ledgerSequences')
    .values({ orgId: options.orgId, name: 'invoice', value: invoiceNumber })
    .execute();
  await store.db
    .insertInto('ledgerClocks')
    .values({ orgId: options.orgId, now: end })
    .onConflict((conflict) => conflict.column('orgId').doUpdateSet({ now: end }))
    .execute();

  // The bulk load leaves dead row versions (every customer and subscription was brought to its final state) and
  // no planner statistics; PGlite has no autovacuum, so clean up and analyze once here, the facts the insights
  // read included (their index-only scans skip the heap only on pages a vacuum has marked all-visible).
  options.onProgress?.({ phase: 'analyzing', done: totalDays, total: totalDays });
  await sql
    .raw(
      'vacuum analyze products, prices, coupons, customers, subscriptions, subscription_items, invoices, invoice_lines, charges, refunds, balance_transactions, usage_records, mrr_lines, mrr_changes, mrr_months, charge_days, charge_twins',
    )
    .execute(store.db);

  const statuses: Record<string, number> = {};
  for (const subscription of subscriptions.values())
    statuses[subscription.status] = (statuses[subscription.status] ?? 0) + 1;
  const overdue = [...openInvoices.values()].filter(
    (invoice) => invoice.dueDate && invoice.dueDate.getTime() < end.getTime(),
  ).length;
  return {
    seed,
    from: start.toISOString(),
    to: end.toISOString(),
    customers: customers.size,
    subscriptions: statuses,
    invoices: counts.invoices,
    overdueInvoices: overdue,
    charges: counts.charges,
    failedPayments: counts.failed,
    refunds: counts.refunds,
    duplicateSubscriptions: duplicates,
    doubleCharges,
    rowsWritten: writer.rowsWritten,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

export type { DemoCatalog };
