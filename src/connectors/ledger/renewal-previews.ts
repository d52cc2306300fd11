/**
 * The ledger's upcoming invoices: each renewing subscription's next invoice priced by the engine's renewal
 * functions (`previewRenewal`), with the org's catalog, coupons and customers read in four queries for a page.
 */
import { LIVE_SUBSCRIPTION_STATUSES, type Subscription } from '../../domain/billing.ts';
import type { UpcomingInvoice } from '../connector.ts';
import { previewRenewal } from './engine/index.ts';
import type { LedgerReads } from './ledger-reads.ts';

/** Previews the next renewal of each subscription that will renew, in the order given. */
export async function previewRenewals(
  ledger: LedgerReads,
  subscriptions: readonly Subscription[],
): Promise<UpcomingInvoice[]> {
  const renewing = subscriptions.filter(
    (subscription) =>
      subscription.orgId === ledger.orgId &&
      LIVE_SUBSCRIPTION_STATUSES.includes(subscription.status) &&
      !subscription.cancelAtPeriodEnd,
  );
  if (renewing.length === 0) return [];
  const [prices, products, coupons, customers] = await Promise.all([
    ledger.listPrices(),
    ledger.listProducts(),
    ledger.listCoupons(),
    ledger.getCustomers(renewing.map((subscription) => subscription.customerId)),
  ]);
  const priceById = new Map(prices.map((price) => [price.id, price]));
  const productNames = new Map(products.map((product) => [product.id, product.name]));
  const customerById = new Map(customers.map((customer) => [customer.id, customer]));
  return renewing.flatMap((subscription) => {
    const customer = customerById.get(subscription.customerId);
    // A subscription without its customer ends at renewal without an invoice (advance-ledger-clock.ts).
    if (!customer) return [];
    const preview = previewRenewal({
      subscription,
      prices: priceById,
      productNames,
      coupon: coupons.find((coupon) => coupon.id === subscription.couponId),
      taxRateBps: customer.taxRateBps,
    });
    return [{ subscriptionId: subscription.id, customerId: customer.id, customerName: customer.name, ...preview }];
  });
}
