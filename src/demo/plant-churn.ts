/**
 * Involuntary churn planted in the default demo: whether a random history holds a subscription lost to failed
 * payments in its last months depends on the day it ends, so the churn insight came up empty on some days.
 * A few paying customers' cards expire just before a renewal in the last three months and are never replaced;
 * the engine does the rest (the renewal's payment and its three retries fail, the invoice is given up, the
 * subscription ends with reason `payment_failed`). Nothing here draws from the demo's random stream.
 */
import { addDays } from '../connectors/ledger/engine/index.ts';
import { DUNNING_RETRY_DAYS } from '../connectors/ledger/engine/payment-simulation.ts';
import type { Customer, Subscription } from '../domain/billing.ts';
import type { Currency } from '../domain/money.ts';
import { COUNTRY_CURRENCY, type DemoCompany } from './companies.ts';

/** Days before the end of the history from which each planted churn's renewal is picked: one a month. */
const SLOT_DAYS_BEFORE_END = [84, 56, 28] as const;
/** From the renewal's failed payment to the last failed retry, when the subscription ends. */
const DUNNING_DAYS = DUNNING_RETRY_DAYS.reduce((sum, days) => sum + days, 0);

/** What the generator asks the planting at each renewal. */
export interface ChurnPlanting {
  /** The customer to bill at this renewal: with a card that expired last month when the renewal is planted. */
  payerAtRenewal(customer: Customer, subscription: Subscription, monthly: boolean, at: Date): Customer;
  /** True for a planted customer: their card is never updated, so dunning runs out. */
  keepsExpiredCard(customerId: string): boolean;
}

/** The currency most customers pay in (ties by code): the one the churn insight reports unless asked another. */
export function mainDemoCurrency(companies: DemoCompany[]): Currency {
  const counts = new Map<Currency, number>();
  for (const company of companies) {
    const currency = COUNTRY_CURRENCY[company.country];
    counts.set(currency, (counts.get(currency) ?? 0) + 1);
  }
  const [main] = [...counts].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  return main?.[0] ?? 'usd';
}

/**
 * Plants one involuntary churn a month in the last three months, on customers paying in `currency` who have no
 * story of their own.
 */
export function plantChurn(options: {
  end: Date;
  currency: Currency;
  hasStory: (customerId: string) => boolean;
}): ChurnPlanting {
  const slots = SLOT_DAYS_BEFORE_END.map((days) => addDays(options.end, -days).getTime());
  // The last retry must fail before the history ends, so the subscription is canceled in it.
  const lastRenewal = addDays(options.end, -(DUNNING_DAYS + 1)).getTime();
  const planted = new Set<string>();
  return {
    payerAtRenewal(customer, subscription, monthly, at) {
      // Slots fill in order: the first renewal that qualifies on or after a slot's day takes it.
      const slot = slots[planted.size];
      const card = customer.paymentMethod;
      const eligible =
        slot !== undefined &&
        slot <= at.getTime() &&
        at.getTime() <= lastRenewal &&
        monthly &&
        customer.currency === options.currency &&
        card &&
        subscription.status === 'active' &&
        !subscription.cancelAtPeriodEnd &&
        !options.hasStory(customer.id) &&
        !planted.has(customer.id);
      if (!eligible) return customer;
      planted.add(customer.id);
      // Valid through the end of last month: last month's renewal was paid with it, this one cannot be.
      const lastMonth = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
      const expired = { ...card, expMonth: lastMonth.getUTCMonth() + 1, expYear: lastMonth.getUTCFullYear() };
      return { ...customer, paymentMethod: expired };
    },
    keepsExpiredCard: (customerId) => planted.has(customerId),
  };
}
