/**
 * Response templates: Stripe's own example objects (data/stripe/fixtures3.json, MIT, the newer API shape).
 * Every object the fake answers starts as a deep copy of the fixture of its type; the fake overrides the fields
 * it models and nulls the ones whose example values would mislead (other objects' ids, amounts).
 */
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: Stripe objects are open JSON; the fake shapes them field by field.
export type StripeObject = Record<string, any>;

let resources: Record<string, StripeObject> | undefined;

function load(): Record<string, StripeObject> {
  if (resources) return resources;
  const path = process.env.LEASH_STRIPE_FIXTURES ?? new URL('../../../data/stripe/fixtures3.json', import.meta.url);
  resources = (JSON.parse(readFileSync(path, 'utf8')) as { resources: Record<string, StripeObject> }).resources;
  return resources;
}

/** A deep copy of Stripe's example object of `type`, with `overrides` laid over its top level. */
export function fromTemplate(type: string, overrides: StripeObject): StripeObject {
  const template = load()[type];
  if (!template) throw new Error(`stripe fake: no fixture for ${type}`);
  return { ...structuredClone(template), ...overrides };
}

/** An address with every field Stripe returns (nulls where unknown). */
export function stripeAddress(address: StripeObject | null | undefined): StripeObject {
  return {
    city: address?.city ?? null,
    country: address?.country ?? null,
    line1: address?.line1 ?? null,
    line2: address?.line2 ?? null,
    postal_code: address?.postal_code ?? null,
    state: address?.state ?? null,
  };
}
