/**
 * A Stripe account as a BillingConnector. Reads and insights come from the mirror (the ledger's own queries on
 * the mirror's tables: stripe-session.ts); writes go to Stripe, each with the operation's idempotency key as
 * `Idempotency-Key` and the proposal in metadata, and what Stripe answers is written to the mirror at once.
 */
import type * as Connector from '../connector.ts';
import * as catalog from './stripe-catalog-writes.ts';
import * as money from './stripe-money-writes.ts';
import { StripeSession } from './stripe-session.ts';
import * as subscriptions from './stripe-subscription-writes.ts';
import * as webhookEndpoints from './stripe-webhook-endpoints.ts';

export type { StripeAccess, StripeAccessSource } from './stripe-session.ts';

/** The Stripe connector of one org, on one executor. */
export class StripeConnector
  extends StripeSession
  implements Connector.BillingConnector, webhookEndpoints.HostsWebhookEndpoints
{
  previewPlanChange: Connector.BillingConnector['previewPlanChange'] = (input) =>
    subscriptions.previewPlanChange(this, input);
  previewRenewals: Connector.BillingConnector['previewRenewals'] = (list) => subscriptions.previewRenewals(this, list);

  createCustomer: Connector.BillingConnector['createCustomer'] = (input, options) =>
    catalog.createCustomer(this, input, options);
  updateCustomer: Connector.BillingConnector['updateCustomer'] = (input, options) =>
    catalog.updateCustomer(this, input, options);
  createProduct: Connector.BillingConnector['createProduct'] = (input, options) =>
    catalog.createProduct(this, input, options);
  createPrice: Connector.BillingConnector['createPrice'] = (input, options) =>
    catalog.createPrice(this, input, options);
  createCoupon: Connector.BillingConnector['createCoupon'] = (input, options) =>
    catalog.createCoupon(this, input, options);

  createSubscription: Connector.BillingConnector['createSubscription'] = (input, options) =>
    subscriptions.createSubscription(this, input, options);
  changePlan: Connector.BillingConnector['changePlan'] = (input, options) =>
    subscriptions.changePlan(this, input, options);
  cancelSubscription: Connector.BillingConnector['cancelSubscription'] = (input, options) =>
    subscriptions.cancelSubscription(this, input, options);
  applyCoupon: Connector.BillingConnector['applyCoupon'] = (input, options) =>
    subscriptions.applyCoupon(this, input, options);
  removeCoupon: Connector.BillingConnector['removeCoupon'] = (input, options) =>
    subscriptions.removeCoupon(this, input, options);

  refundCharge: Connector.BillingConnector['refundCharge'] = (input, options) =>
    money.refundCharge(this, input, options);
  creditCustomer: Connector.BillingConnector['creditCustomer'] = (input, options) =>
    money.creditCustomer(this, input, options);
  createCreditNote: Connector.BillingConnector['createCreditNote'] = (input, options) =>
    money.createCreditNote(this, input, options);
  payInvoice: Connector.BillingConnector['payInvoice'] = (input, options) => money.payInvoice(this, input, options);
  recordPayment: Connector.BillingConnector['recordPayment'] = (input, options) =>
    money.recordPayment(this, input, options);
  voidInvoice: Connector.BillingConnector['voidInvoice'] = (input, options) => money.voidInvoice(this, input, options);
  createInvoice: Connector.BillingConnector['createInvoice'] = (input, options) =>
    money.createInvoice(this, input, options);
  finalizeInvoice: Connector.BillingConnector['finalizeInvoice'] = (input, options) =>
    money.finalizeInvoice(this, input, options);
  sendInvoice: Connector.BillingConnector['sendInvoice'] = (input, options) => money.sendInvoice(this, input, options);
  recordUsage: Connector.BillingConnector['recordUsage'] = (input, options) => money.recordUsage(this, input, options);

  createWebhookEndpoint: webhookEndpoints.HostsWebhookEndpoints['createWebhookEndpoint'] = (input, options) =>
    webhookEndpoints.createWebhookEndpoint(this, input, options);
  updateWebhookEndpoint: webhookEndpoints.HostsWebhookEndpoints['updateWebhookEndpoint'] = (input, options) =>
    webhookEndpoints.updateWebhookEndpoint(this, input, options);
  deleteWebhookEndpoint: webhookEndpoints.HostsWebhookEndpoints['deleteWebhookEndpoint'] = (input, options) =>
    webhookEndpoints.deleteWebhookEndpoint(this, input, options);
}
