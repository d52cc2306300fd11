/** Subscriptions: create (first invoice charged unless trialing), change with proration, cancel, discounts. */
import { addInterval } from '../billing.ts';
import { FakeError, invalidRequest } from '../errors.ts';
import type { StripeObject } from '../fixtures.ts';
import { invoiceItemObject } from '../invoice-objects.ts';
import { listPage, where } from '../lists.ts';
import { mergedMetadata, planOf, subscriptionItemObject, subscriptionObject } from '../objects.ts';
import { firstPeriodLines, prorationLines } from '../proration.ts';
import type { FakeState } from '../state.ts';
import { collect, draftSubscriptionInvoice, newDiscount } from '../subscription-invoices.ts';
import { liveCustomer } from './customers.ts';
import { type Route, route } from './route.ts';

const DAY_SECONDS = 86_400;
const ENDED = new Set(['canceled', 'incomplete_expired']);

function requireSubscription(state: FakeState, id: string): StripeObject {
  return state.require('subscription', id, 'id', 'subscription');
}

function priceFor(state: FakeState, id: string, param: string): StripeObject {
  return state.require('price', id, param, 'price');
}

/** Applies `discounts` ([{coupon}] or '' to clear) to a subscription. */
function applyDiscounts(state: FakeState, subscription: StripeObject, discounts: unknown): void {
  if (discounts === undefined) return;
  if (discounts === '' || (Array.isArray(discounts) && discounts.length === 0)) {
    subscription.discounts = [];
    return;
  }
  subscription.discounts = (discounts as StripeObject[]).map((entry, index) => {
    if (entry.discount) return entry.discount;
    return newDiscount(state, subscription, entry.coupon, `discounts[${index}][coupon]`).id;
  });
}

/** The change of one item: new price/quantity at `at`, with proration lines per `behavior`. */
export function changeItem(
  state: FakeState,
  subscription: StripeObject,
  change: StripeObject,
  at: number,
): { lines: ReturnType<typeof prorationLines>['lines']; apply(): void } {
  const item = (subscription.items.data as StripeObject[]).find((candidate) => candidate.id === change.id);
  if (!item)
    throw new FakeError(
      invalidRequest(`No such subscription item: '${change.id}'`, {
        code: 'resource_missing',
        param: 'items[0][id]',
        status: 404,
      }),
    );
  const price = change.price ? priceFor(state, change.price, 'items[0][price]') : item.price;
  const quantity = change.quantity ?? item.quantity;
  const { lines, periodStart, periodEnd } = prorationLines(state, subscription, item, price, quantity, at);
  return {
    lines,
    apply() {
      item.price = structuredClone(price);
      item.plan = planOf(price);
      item.quantity = quantity;
      if (periodStart !== item.current_period_start) subscription.billing_cycle_anchor = periodStart;
      item.current_period_start = periodStart;
      item.current_period_end = periodEnd;
    },
  };
}

function createSubscription(state: FakeState, params: StripeObject): StripeObject {
  const customer = liveCustomer(state, params.customer ?? '', 'customer');
  const items = (params.items ?? []) as StripeObject[];
  if (items.length === 0)
    throw new FakeError(
      invalidRequest('Missing required param: items.', { code: 'parameter_missing', param: 'items' }),
    );
  const prices = items.map((item, index) => priceFor(state, item.price, `items[${index}][price]`));
  const currency = prices[0]?.currency as string;
  if (customer.currency && customer.currency !== currency)
    throw new FakeError(
      invalidRequest(
        `You cannot combine currencies on a single customer. This customer has had a subscription or payment in ${customer.currency}, but you are trying to pay in ${currency}.`,
        { param: 'items' },
      ),
    );
  const now = state.seconds();
  const trialDays =
    params.trial_period_days ?? (params.trial_from_plan ? prices[0]?.recurring?.trial_period_days : undefined);
  const trialEnd = trialDays ? now + trialDays * DAY_SECONDS : null;
  const subscription = subscriptionObject(state, {
    currency,
    customer: customer.id,
    metadata: params.metadata,
    status: trialEnd ? 'trialing' : 'active',
    trial_start: trialEnd ? now : null,
    trial_end: trialEnd,
    cancel_at_period_end: params.cancel_at_period_end ?? false,
  });
  subscription.items.data = items.map((item, index) => {
    const price = prices[index] as StripeObject;
    return subscriptionItemObject(state, {
      price,
      quantity: item.quantity ?? 1,
      subscription: subscription.id,
      current_period_start: now,
      current_period_end: trialEnd ?? addInterval(now, price.recurring?.interval ?? 'month'),
    });
  });
  subscription.items.total_count = subscription.items.data.length;
  applyDiscounts(state, subscription, params.discounts ?? (params.coupon ? [{ coupon: params.coupon }] : undefined));
  state.insert('subscription', subscription);
  if (!customer.currency) state.update('customer', customer, (target) => (target.currency = currency));
  state.emit('customer.subscription.created', subscription);
  const lines = trialEnd
    ? firstPeriodLines(state, subscription).map((line) => ({ ...line, amount: 0 }))
    : firstPeriodLines(state, subscription);
  const invoice = draftSubscriptionInvoice(state, subscription, lines, 'subscription_create', { store: true });
  subscription.latest_invoice = invoice.id;
  if (!collect(state, invoice))
    state.update(
      'subscription',
      subscription,
      (target) => (target.status = 'incomplete'),
      'customer.subscription.updated',
    );
  return subscription;
}

function updateSubscription(state: FakeState, subscription: StripeObject, params: StripeObject): StripeObject {
  if (ENDED.has(subscription.status))
    throw new FakeError(
      invalidRequest('A canceled subscription can only update its cancellation_details and metadata.'),
    );
  const behavior = params.proration_behavior ?? 'create_prorations';
  const at = params.proration_date ?? state.seconds();
  const changes = ((params.items ?? []) as StripeObject[]).map((change) => changeItem(state, subscription, change, at));
  const lines = behavior === 'none' ? [] : changes.flatMap((change) => change.lines);
  state.update(
    'subscription',
    subscription,
    (target) => {
      for (const change of changes) change.apply();
      applyDiscounts(
        state,
        target,
        params.discounts ??
          (params.coupon !== undefined ? (params.coupon ? [{ coupon: params.coupon }] : '') : undefined),
      );
      if (params.cancel_at_period_end !== undefined) {
        target.cancel_at_period_end = params.cancel_at_period_end;
        const end = Math.max(...(target.items.data as StripeObject[]).map((item) => item.current_period_end));
        target.cancel_at = params.cancel_at_period_end ? end : null;
        target.canceled_at = params.cancel_at_period_end ? state.seconds() : null;
      }
      if (params.cancellation_details?.comment !== undefined)
        target.cancellation_details.comment = params.cancellation_details.comment || null;
      target.metadata = mergedMetadata(target.metadata, params.metadata);
    },
    'customer.subscription.updated',
  );
  if (lines.length === 0) return subscription;
  if (behavior === 'always_invoice') {
    const invoice = draftSubscriptionInvoice(state, subscription, lines, 'subscription_update', { store: true });
    subscription.latest_invoice = invoice.id;
    if (!collect(state, invoice))
      state.update(
        'subscription',
        subscription,
        (target) => (target.status = 'past_due'),
        'customer.subscription.updated',
      );
  } else {
    for (const line of lines) {
      const item = state.insert('invoiceitem', invoiceItemObject(state, { ...line, customer: subscription.customer }));
      state.emit('invoiceitem.created', item);
    }
  }
  return subscription;
}

/** The routes. */
export const subscriptionRoutes: Route[] = [
  route('GET', '/v1/subscriptions', 'rak_subscription_read', ({ state, params }) => {
    let subscriptions = where(state.all('subscription'), params.customer, (subscription) => subscription.customer);
    if (params.status !== 'all')
      subscriptions = params.status
        ? subscriptions.filter((subscription) => subscription.status === params.status)
        : subscriptions.filter((subscription) => !ENDED.has(subscription.status));
    if (params.price)
      subscriptions = subscriptions.filter((subscription) =>
        (subscription.items.data as StripeObject[]).some((item) => item.price.id === params.price),
      );
    return listPage(subscriptions, params, '/v1/subscriptions');
  }),
  route('POST', '/v1/subscriptions', 'rak_subscription_write', ({ state, params }) =>
    createSubscription(state, params),
  ),
  route('GET', '/v1/subscriptions/{subscription_exposed_id}', 'rak_subscription_read', ({ state, path }) =>
    requireSubscription(state, path.subscription_exposed_id ?? ''),
  ),
  route('POST', '/v1/subscriptions/{subscription_exposed_id}', 'rak_subscription_write', ({ state, params, path }) =>
    updateSubscription(state, requireSubscription(state, path.subscription_exposed_id ?? ''), params),
  ),
  route(
    'DELETE',
    '/v1/subscriptions/{subscription_exposed_id}',
    'rak_subscription_write',
    ({ state, params, path }) => {
      const subscription = requireSubscription(state, path.subscription_exposed_id ?? '');
      if (ENDED.has(subscription.status))
        throw new FakeError(
          invalidRequest(`No such subscription: '${subscription.id}'`, {
            code: 'resource_missing',
            param: 'id',
            status: 404,
          }),
        );
      const now = state.seconds();
      state.update(
        'subscription',
        subscription,
        (target) => {
          target.status = 'canceled';
          target.canceled_at = now;
          target.ended_at = now;
          target.cancel_at_period_end = false;
          target.cancel_at = null;
          if (params.cancellation_details?.comment !== undefined)
            target.cancellation_details.comment = params.cancellation_details.comment || null;
          target.cancellation_details.reason = 'cancellation_requested';
        },
        'customer.subscription.deleted',
      );
      return subscription;
    },
  ),
  route(
    'DELETE',
    '/v1/subscriptions/{subscription_exposed_id}/discount',
    'rak_subscription_write',
    ({ state, path }) => {
      const subscription = requireSubscription(state, path.subscription_exposed_id ?? '');
      const discountId = subscription.discounts[0] as string | undefined;
      const discount = discountId ? state.get('discount', discountId) : undefined;
      if (!discount)
        throw new FakeError(
          invalidRequest(`No active discount for subscription ${subscription.id}`, {
            code: 'resource_missing',
            status: 404,
          }),
        );
      state.update('subscription', subscription, (target) => (target.discounts = []), 'customer.subscription.updated');
      state.emit('customer.discount.deleted', discount);
      return { ...structuredClone(discount), deleted: true };
    },
  ),
];
