/**
 * The operation registry: every capability Leash has, by public name. Insights live in `insights/` (they
 * only read) but are operations like any other, so they are listed here and run through the same pipeline.
 */

import { involuntaryChurn } from '../insights/involuntary-churn.ts';
import { mrrMovements } from '../insights/mrr-movements.ts';
import { overdueSummary } from '../insights/overdue-summary.ts';
import { paymentFailureRates } from '../insights/payment-failures.ts';
import { topExpansion } from '../insights/top-expansion.ts';
import { addMember } from './add-member.ts';
import { applyCoupon } from './apply-coupon.ts';
import { notifyCustomers } from './broadcast-notifications.ts';
import { bulkApplyCoupon, bulkMigratePlan, bulkRetryInvoices } from './bulk/bulk-operations.ts';
import { cancelSubscription } from './cancel-subscription.ts';
import { changeMemberRole } from './change-member-role.ts';
import { changePlan } from './change-plan.ts';
import { checkReply } from './check-reply.ts';
import { createCoupon } from './create-coupon.ts';
import { createCreditNote } from './create-credit-note.ts';
import { createCustomer } from './create-customer.ts';
import { createInvoice } from './create-invoice.ts';
import { createPlan } from './create-plan.ts';
import { createPrice } from './create-price.ts';
import { createProduct } from './create-product.ts';
import { createRegionalDiscounts } from './create-regional-discounts.ts';
import { createSubscription } from './create-subscription.ts';
import { createTicket } from './create-ticket.ts';
import { createUsagePrice } from './create-usage-price.ts';
import { creditCustomer } from './credit-customer.ts';
import type { Operation } from './define-operation.ts';
import { draftReply } from './draft-reply.ts';
import { explainPlan } from './explain-plan.ts';
import { failedPayments } from './failed-payments.ts';
import { findDoubleCharges } from './find-double-charges.ts';
import { findDuplicateSubscriptions } from './find-duplicate-subscriptions.ts';
import { getBillingDate } from './get-billing-date.ts';
import { getCustomer } from './get-customer.ts';
import { getInvoice } from './get-invoice.ts';
import { withSuggestions } from './insight-suggestions.ts';
import { listActivity } from './list-activity.ts';
import { listInvoices } from './list-invoices.ts';
import { listPlans } from './list-plans.ts';
import { listSubscriptions } from './list-subscriptions.ts';
import { getTicket, listTickets } from './list-tickets.ts';
import { paymentHistory } from './payment-history.ts';
import { recordPayment } from './record-payment.ts';
import { recordUsage } from './record-usage.ts';
import { refundCharge } from './refund-charge.ts';
import { removeCoupon } from './remove-coupon.ts';
import { resolveMentions } from './resolve-mentions.ts';
import { retryInvoice } from './retry-invoice.ts';
import { searchCustomers } from './search-customers.ts';
import { sendReply } from './send-reply.ts';
import { setPolicyModes } from './set-policy-modes.ts';
import { simulatePricing } from './simulate-pricing.ts';
import { subscriptionHistory } from './subscription-history.ts';
import { upcomingInvoices } from './upcoming-invoices.ts';
import { updateCustomer } from './update-customer.ts';
import { usageAgainstLimits } from './usage-against-limits.ts';
import { viewCustomer } from './view-customer.ts';
import { voidInvoice } from './void-invoice.ts';
import { createWebhookEndpoint, deleteWebhookEndpoint, updateWebhookEndpoint } from './webhook-endpoints.ts';

const operations = [
  getBillingDate,
  getCustomer,
  viewCustomer,
  searchCustomers,
  resolveMentions,
  getInvoice,
  listInvoices,
  upcomingInvoices,
  listSubscriptions,
  listPlans,
  explainPlan,
  subscriptionHistory,
  paymentHistory,
  withSuggestions(usageAgainstLimits),
  failedPayments,
  findDuplicateSubscriptions,
  findDoubleCharges,
  mrrMovements,
  withSuggestions(paymentFailureRates),
  topExpansion,
  withSuggestions(involuntaryChurn),
  withSuggestions(overdueSummary),
  simulatePricing,
  listTickets,
  getTicket,
  listActivity,
  checkReply,
  refundCharge,
  creditCustomer,
  changePlan,
  cancelSubscription,
  applyCoupon,
  retryInvoice,
  removeCoupon,
  voidInvoice,
  createInvoice,
  recordPayment,
  createCreditNote,
  updateCustomer,
  createTicket,
  draftReply,
  sendReply,
  createCustomer,
  createSubscription,
  recordUsage,
  createProduct,
  createPrice,
  createCoupon,
  createPlan,
  createUsagePrice,
  createRegionalDiscounts,
  bulkApplyCoupon,
  bulkRetryInvoices,
  bulkMigratePlan,
  notifyCustomers,
  addMember,
  changeMemberRole,
  setPolicyModes,
  createWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
] as unknown as Operation[];

/** Operations by name. */
export const registry: ReadonlyMap<string, Operation> = new Map(
  operations.map((operation) => [operation.name, operation]),
);

/** Finds an operation by name. */
export function findOperation(name: string): Operation | undefined {
  return registry.get(name);
}
