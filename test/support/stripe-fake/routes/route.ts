/** What a route handler gets and gives: the validated parameters, the path ids, the state; a Stripe object back. */
import type { StripeObject } from '../fixtures.ts';
import type { FakeState } from '../state.ts';

/** A handler's input. Parameters are validated against the spec and coerced to their JSON types. */
export interface RouteContext {
  state: FakeState;
  params: StripeObject;
  path: Record<string, string>;
}

/** One Stripe endpoint the fake models, by the spec's path template. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  template: string;
  /** The restricted-key permission it needs (`rak_customer_write`). */
  permission: string;
  handle(context: RouteContext): StripeObject;
}

/** A route table entry. */
export const route = (
  method: Route['method'],
  template: string,
  permission: string,
  handle: Route['handle'],
): Route => ({ method, template, permission, handle });
