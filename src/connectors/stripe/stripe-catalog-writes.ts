/**
 * Writes through Stripe to customers and the catalogue (products, prices, coupons). What Stripe has no field for
 * travels in `leash_*` metadata (stripe-objects.ts); cards and metered prices stay Stripe's to manage.
 */
import type Stripe from 'stripe';
import type { Coupon, Customer, Price, Product } from '../../domain/billing.ts';
import { badInput, invalidState, notFound } from '../../domain/errors.ts';
import type * as Connector from '../connector.ts';
import type { StripeSession } from './stripe-session.ts';

/** Creates a customer; its currency waits in metadata until Stripe sets it at the first invoice. */
export async function createCustomer(
  session: StripeSession,
  input: Connector.CreateCustomerInput,
  options: Connector.WriteOptions,
): Promise<Customer> {
  if (input.paymentMethod)
    throw badInput('paymentMethod', 'cards are added in Stripe (Checkout or the dashboard), not through Leash');
  const created = await session.write(options.idempotencyKey, 'create the customer', (stripe, request) =>
    stripe.customers.create(
      {
        name: input.name,
        email: input.email,
        address: { ...addressParams(input.address), country: input.country },
        metadata: session.metadata(options.idempotencyKey, { ...input.metadata, leash_currency: input.currency }),
      },
      request,
    ),
  );
  await session.mirror('customer', created);
  return session.mirrored(() => session.getCustomer(created.id), 'customer', created.id);
}

/** Changes a customer's name, email, address or metadata. */
export async function updateCustomer(
  session: StripeSession,
  input: Connector.UpdateCustomerInput,
  options: Connector.WriteOptions,
): Promise<Customer> {
  if (input.paymentMethod !== undefined)
    throw badInput('paymentMethod', 'cards are changed in Stripe (the customer portal or the dashboard)');
  const current = await session.getCustomer(input.customerId);
  if (!current || current.deletedAt) throw notFound('customer', input.customerId);
  const address =
    input.address || input.country
      ? { ...addressParams({ ...current.address, ...input.address }), country: input.country ?? current.country }
      : undefined;
  const updated = await session.write(options.idempotencyKey, 'update the customer', (stripe, request) =>
    stripe.customers.update(
      input.customerId,
      {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(address ? { address } : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
      },
      request,
    ),
  );
  await session.mirror('customer', updated);
  return session.mirrored(() => session.getCustomer(input.customerId), 'customer', input.customerId);
}

/** Creates a product with its limits, overage and legacy flag in metadata. */
export async function createProduct(
  session: StripeSession,
  input: Connector.CreateProductInput,
  options: Connector.WriteOptions,
): Promise<Product> {
  const created = await session.write(options.idempotencyKey, 'create the product', (stripe, request) =>
    stripe.products.create(
      {
        name: input.name,
        ...(input.description ? { description: input.description } : {}),
        metadata: session.metadata(options.idempotencyKey, {
          leash_limits: JSON.stringify(input.limits ?? {}),
          ...(input.overage ? { leash_overage: input.overage } : {}),
          ...(input.legacy ? { leash_legacy: 'true' } : {}),
        }),
      },
      request,
    ),
  );
  await session.mirror('product', created);
  return session.mirrored(() => session.getProduct(created.id), 'product', created.id);
}

/** Creates a flat, per-unit or graduated tiered price (metered prices belong to Stripe meters). */
export async function createPrice(
  session: StripeSession,
  input: Connector.CreatePriceInput,
  options: Connector.WriteOptions,
): Promise<Price> {
  if (input.usageMetric)
    throw invalidState(
      'usage prices on Stripe bill through a Stripe meter: create the meter and its price in the Stripe dashboard',
    );
  const tiered = input.scheme === 'tiered';
  const created = await session.write(options.idempotencyKey, 'create the price', (stripe, request) =>
    stripe.prices.create(
      {
        product: input.productId,
        currency: input.currency,
        ...(input.nickname ? { nickname: input.nickname } : {}),
        ...(input.interval ? { recurring: { interval: input.interval } } : {}),
        ...(tiered
          ? {
              billing_scheme: 'tiered',
              tiers_mode: 'graduated',
              tiers: (input.tiers ?? []).map((tier) => ({
                up_to: tier.upTo ?? 'inf',
                unit_amount: tier.unitAmount,
                flat_amount: tier.flatAmount,
              })),
            }
          : { unit_amount: input.unitAmount ?? 0 }),
        metadata: session.metadata(options.idempotencyKey, {
          ...(input.scheme === 'flat' ? { leash_scheme: 'flat' } : {}),
          ...(input.freeAllowance ? { leash_free_allowance: String(input.freeAllowance) } : {}),
          // Stripe sets trials on subscriptions: Leash keeps the price's default and applies it when subscribing.
          ...(input.trialDays ? { leash_trial_days: String(input.trialDays) } : {}),
        }),
        expand: ['tiers'],
      },
      request,
    ),
  );
  await session.mirror('price', created);
  return session.mirrored(() => session.getPrice(created.id), 'price', created.id);
}

/** Creates a coupon with its code and countries in metadata. */
export async function createCoupon(
  session: StripeSession,
  input: Connector.CreateCouponInput,
  options: Connector.WriteOptions,
): Promise<Coupon> {
  const created = await session.write(options.idempotencyKey, 'create the coupon', (stripe, request) =>
    stripe.coupons.create(
      {
        name: input.name,
        duration: input.duration,
        ...(input.durationInMonths ? { duration_in_months: input.durationInMonths } : {}),
        ...(input.percentOffBps !== undefined
          ? { percent_off: input.percentOffBps / 100 }
          : { amount_off: input.amountOff ?? 0, currency: input.currency ?? 'usd' }),
        ...(input.maxRedemptions ? { max_redemptions: input.maxRedemptions } : {}),
        metadata: session.metadata(options.idempotencyKey, {
          leash_code: input.code,
          ...(input.countries?.length ? { leash_countries: input.countries.join(',') } : {}),
        }),
      },
      request,
    ),
  );
  await session.mirror('coupon', created);
  return session.mirrored(() => session.getCoupon(created.id), 'coupon', created.id);
}

function addressParams(address: Customer['address'] | undefined): Stripe.AddressParam {
  return {
    ...(address?.line1 ? { line1: address.line1 } : {}),
    ...(address?.line2 ? { line2: address.line2 } : {}),
    ...(address?.city ? { city: address.city } : {}),
    ...(address?.postalCode ? { postal_code: address.postalCode } : {}),
    ...(address?.state ? { state: address.state } : {}),
  };
}
