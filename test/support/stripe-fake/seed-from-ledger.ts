/**
 * Copies a Leash org into the fake through the connector's read methods, keeping Leash's ids, amounts and
 * instants, in the conventions the Stripe connector reads (metadata `leash_*`, periods on items, credit applied =
 * total − amount_due, refund reason in `metadata.leash_reason`, credit note reason in `memo`).
 */
import type { BillingConnector } from '../../../src/connectors/connector.ts';
import type { Charge, Customer, Invoice, Price, Subscription } from '../../../src/domain/billing.ts';
import type { StripeObject } from './fixtures.ts';
import type { StripeFakeSeed } from './seed.ts';

const PAGE = 500;
const seconds = (date: Date | null | undefined) => (date ? Math.floor(date.getTime() / 1000) : null);

async function allPages<T>(read: (page: { limit: number; offset: number }) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await read({ limit: PAGE, offset });
    rows.push(...page);
    if (page.length < PAGE) return rows;
  }
}

function customerParams(customer: Customer): StripeObject {
  const { address } = customer;
  const metadata: Record<string, string> = { ...customer.metadata };
  if (customer.taxRateBps) metadata.leash_tax_rate_bps = String(customer.taxRateBps);
  const card = customer.paymentMethod;
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    address: {
      line1: address.line1,
      line2: address.line2,
      city: address.city,
      postal_code: address.postalCode,
      state: address.state,
      country: customer.country,
    },
    currency: customer.currency,
    balance: customer.balance,
    metadata,
    created: seconds(customer.createdAt),
    deleted: customer.deletedAt !== null,
    card: card
      ? {
          brand: card.brand,
          last4: card.last4,
          exp_month: card.expMonth,
          exp_year: card.expYear,
          country: card.country,
        }
      : null,
  };
}

function priceParams(price: Price): StripeObject {
  const metadata: Record<string, string> = {};
  if (price.scheme === 'flat') metadata.leash_scheme = 'flat';
  if (price.usageMetric) metadata.leash_usage_metric = price.usageMetric;
  if (price.freeAllowance) metadata.leash_free_allowance = String(price.freeAllowance);
  return {
    id: price.id,
    product: price.productId,
    nickname: price.nickname || null,
    currency: price.currency,
    active: price.active,
    created: seconds(price.createdAt),
    metadata,
    recurring: price.interval
      ? {
          interval: price.interval,
          usage_type: price.usageMetric ? 'metered' : 'licensed',
          trial_period_days: price.trialDays || null,
        }
      : null,
    billing_scheme: price.scheme === 'tiered' ? 'tiered' : 'per_unit',
    // The ledger bills tiers graduated (engine/pricing.ts).
    tiers_mode: price.scheme === 'tiered' ? 'graduated' : null,
    tiers: price.tiers.map((tier) => ({
      up_to: tier.upTo,
      unit_amount: tier.unitAmount,
      flat_amount: tier.flatAmount,
    })),
    unit_amount: price.unitAmount,
  };
}

function subscriptionParams(subscription: Subscription): StripeObject {
  return {
    id: subscription.id,
    customer: subscription.customerId,
    currency: subscription.currency,
    status: subscription.status,
    created: seconds(subscription.createdAt),
    start_date: seconds(subscription.createdAt),
    billing_cycle_anchor: seconds(subscription.billingAnchor),
    current_period_start: seconds(subscription.currentPeriodStart),
    current_period_end: seconds(subscription.currentPeriodEnd),
    items: subscription.items.map((item) => ({ id: item.id, price: item.priceId, quantity: item.quantity })),
    trial_start: subscription.trialEnd ? seconds(subscription.createdAt) : null,
    trial_end: seconds(subscription.trialEnd),
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    cancel_at: subscription.cancelAtPeriodEnd ? seconds(subscription.currentPeriodEnd) : null,
    canceled_at: seconds(subscription.canceledAt),
    ended_at: seconds(subscription.endedAt),
    cancellation_comment: subscription.cancellationReason,
    coupon: subscription.couponId ?? undefined,
    discount_end: seconds(subscription.discountEnd),
  };
}

function invoiceParams(
  invoice: Invoice,
  subscriptions: Map<string, Subscription>,
  prices: Map<string, Price>,
): StripeObject {
  const subscription = invoice.subscriptionId ? subscriptions.get(invoice.subscriptionId) : undefined;
  return {
    id: invoice.id,
    number: invoice.number,
    customer: invoice.customerId,
    subscription: invoice.subscriptionId,
    status: invoice.status,
    billing_reason: invoice.billingReason,
    collection_method: invoice.subscriptionId ? 'charge_automatically' : 'send_invoice',
    currency: invoice.currency,
    description: invoice.memo || null,
    lines: invoice.lines.map((line) => ({
      id: line.id,
      amount: line.amount,
      description: line.description,
      quantity: line.quantity,
      price: line.priceId,
      product: line.priceId ? (prices.get(line.priceId)?.productId ?? null) : null,
      period_start: seconds(line.periodStart ?? invoice.periodStart ?? invoice.createdAt),
      period_end: seconds(line.periodEnd ?? invoice.periodEnd ?? invoice.createdAt),
      proration: line.proration,
      subscription_item: subscription?.items.find((item) => item.priceId === line.priceId)?.id,
    })),
    discount: invoice.discount,
    tax: invoice.tax,
    total: invoice.total,
    credit_applied: invoice.creditApplied,
    amount_due: invoice.amountDue,
    amount_paid: invoice.amountPaid,
    amount_remaining: invoice.amountRemaining,
    period_start: seconds(invoice.periodStart ?? invoice.createdAt),
    period_end: seconds(invoice.periodEnd ?? invoice.createdAt),
    due_date: seconds(invoice.dueDate),
    created: seconds(invoice.createdAt),
    finalized_at: seconds(invoice.finalizedAt),
    paid_at: seconds(invoice.paidAt),
    voided_at: seconds(invoice.voidedAt),
    attempt_count: invoice.attemptCount,
    next_payment_attempt: seconds(invoice.nextPaymentAttempt),
    // Stripe keeps no "sent" time; Leash records its sends in metadata.
    metadata: invoice.sentAt ? { leash_sent_at: String(seconds(invoice.sentAt)) } : {},
  };
}

function chargeParams(charge: Charge, customers: Map<string, Customer>): StripeObject {
  const card = customers.get(charge.customerId)?.paymentMethod;
  return {
    id: charge.id,
    customer: charge.customerId,
    invoice: charge.invoiceId ?? undefined,
    amount: charge.amount,
    currency: charge.currency,
    status: charge.status,
    failure_code: charge.failureCode,
    failure_message: charge.failureMessage,
    amount_refunded: charge.amountRefunded,
    created: seconds(charge.createdAt),
    external: charge.method === 'external',
    metadata: charge.method === 'external' ? { leash_method: 'external' } : undefined,
    card: {
      brand: charge.cardBrand ?? card?.brand,
      country: charge.cardCountry ?? card?.country,
      last4: card?.last4,
      exp_month: card?.expMonth,
      exp_year: card?.expYear,
    },
  };
}

/** Copies the org `reads` serves into the fake; `customers` caps how many (with everything that depends on them). */
export async function seedFromLedger(
  seed: StripeFakeSeed,
  reads: BillingConnector,
  options: { customers?: number } = {},
): Promise<void> {
  let customers = await allPages((page) => reads.findCustomers(page));
  if (options.customers !== undefined) customers = customers.slice(0, options.customers);
  const customerById = new Map(customers.map((customer) => [customer.id, customer]));
  const ours = <T extends { customerId: string }>(rows: T[]) => rows.filter((row) => customerById.has(row.customerId));

  const prices = await reads.listPrices();
  const priceById = new Map(prices.map((price) => [price.id, price]));
  for (const product of await reads.listProducts()) {
    const metadata: Record<string, string> = { leash_limits: JSON.stringify(product.limits) };
    if (product.overage) metadata.leash_overage = product.overage;
    if (product.legacy) metadata.leash_legacy = 'true';
    seed.product({
      id: product.id,
      name: product.name,
      description: product.description || null,
      active: product.active,
      created: seconds(product.createdAt),
      metadata,
    });
  }
  for (const price of prices) seed.price(priceParams(price));
  for (const coupon of await reads.listCoupons()) {
    const metadata: Record<string, string> = { leash_code: coupon.code };
    if (coupon.countries.length > 0) metadata.leash_countries = coupon.countries.join(',');
    seed.coupon({
      id: coupon.id,
      name: coupon.name,
      percent_off: coupon.percentOffBps === null ? null : coupon.percentOffBps / 100,
      amount_off: coupon.amountOff,
      currency: coupon.currency,
      duration: coupon.duration,
      duration_in_months: coupon.durationInMonths,
      max_redemptions: coupon.maxRedemptions,
      times_redeemed: coupon.timesRedeemed,
      valid: coupon.valid,
      created: seconds(coupon.createdAt),
      metadata,
    });
  }
  for (const customer of customers) seed.customer(customerParams(customer));

  const subscriptions = ours(await allPages((page) => reads.listSubscriptions(page)));
  const subscriptionById = new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
  for (const subscription of [...subscriptions].reverse()) seed.subscription(subscriptionParams(subscription));

  const invoices = ours(await allPages((page) => reads.listInvoices(page)));
  for (const invoice of [...invoices].reverse()) seed.invoice(invoiceParams(invoice, subscriptionById, priceById));

  const charges = ours(await allPages((page) => reads.listCharges(page)));
  for (const charge of [...charges].reverse()) seed.charge(chargeParams(charge, customerById));
  const chargeIds = new Set(charges.map((charge) => charge.id));
  for (const refund of await reads.listRefunds({})) {
    if (!chargeIds.has(refund.chargeId)) continue;
    seed.refund({
      id: refund.id,
      charge: refund.chargeId,
      amount: refund.amount,
      created: seconds(refund.createdAt),
      metadata: { leash_reason: refund.reason },
    });
  }
  for (const note of ours(await reads.listCreditNotes({})))
    seed.credit_note({
      id: note.id,
      invoice: note.invoiceId,
      amount: note.amount,
      memo: note.reason,
      created: seconds(note.createdAt),
    });
  for (const customer of customers) {
    let balance = 0;
    for (const transaction of await reads.listBalanceTransactions(customer.id)) {
      balance += transaction.amount;
      seed.customer_balance_transaction({
        id: transaction.id,
        customer: customer.id,
        amount: transaction.amount,
        currency: transaction.currency,
        description: transaction.description || null,
        invoice: transaction.invoiceId,
        created: seconds(transaction.createdAt),
        ending_balance: balance,
      });
    }
  }
}
