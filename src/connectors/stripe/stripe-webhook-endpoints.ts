/**
 * Webhook endpoints in Stripe (issue 20): on an org connected to Stripe, an endpoint is created, changed and deleted
 * in Stripe (`webhookEndpoints.*`), which then signs and delivers Stripe's own events to it. Leash's event names
 * are mapped to Stripe's (`subscription.created` → `customer.subscription.created`). The signing secret Stripe
 * returns on creation is handed back once and never kept: Stripe signs, the receiver verifies, Leash has no use
 * for it. A key without the permission is refused naming it as Stripe's restricted-key screen does.
 */
import type Stripe from 'stripe';
import { isLeashError, LeashError } from '../../domain/errors.ts';
import type { BillingConnector, WriteOptions } from '../connector.ts';
import type { StripeSession } from './stripe-session.ts';

/** Leash's event names (src/webhooks/event-types.ts) and the Stripe events that carry the same news. */
export const STRIPE_EVENT_NAMES: Readonly<Record<string, Stripe.WebhookEndpointCreateParams.EnabledEvent>> = {
  'subscription.created': 'customer.subscription.created',
  'subscription.updated': 'customer.subscription.updated',
  'subscription.canceled': 'customer.subscription.deleted',
  'invoice.finalized': 'invoice.finalized',
  'invoice.paid': 'invoice.paid',
  'invoice.payment_failed': 'invoice.payment_failed',
  'refund.created': 'refund.created',
  'customer.updated': 'customer.updated',
};

/** The Stripe event names for Leash's `events`. */
export function stripeEventsOf(events: readonly string[]): Stripe.WebhookEndpointCreateParams.EnabledEvent[] {
  return events.map((event) => {
    const name = STRIPE_EVENT_NAMES[event];
    if (!name) throw new LeashError('bad_input', `events: Stripe has no event for ${event}`, { field: 'events' });
    return name;
  });
}

/** An endpoint as Stripe answered it. */
export interface StripeEndpoint {
  id: string;
  url: string;
  enabledEvents: string[];
  status: string;
}

/** What creating returns: the endpoint and the secret Stripe shows once (absent on a replay without it). */
export interface CreatedStripeEndpoint {
  endpoint: StripeEndpoint;
  secret?: string;
}

/** The writes a connector that hosts webhook endpoints offers (the Stripe connector). */
export interface HostsWebhookEndpoints {
  createWebhookEndpoint(
    input: { url: string; events: readonly string[]; description?: string | undefined },
    options: WriteOptions,
  ): Promise<CreatedStripeEndpoint>;
  updateWebhookEndpoint(
    input: {
      endpointId: string;
      url?: string | undefined;
      events?: readonly string[] | undefined;
      description?: string | undefined;
      disabled?: boolean | undefined;
    },
    options: WriteOptions,
  ): Promise<StripeEndpoint>;
  deleteWebhookEndpoint(input: { endpointId: string }, options: WriteOptions): Promise<{ id: string; deleted: true }>;
}

/** The connector's endpoint writes when it hosts endpoints itself (Stripe), else undefined (the ledger). */
export function endpointHost(connector: BillingConnector): HostsWebhookEndpoints | undefined {
  const candidate = connector as BillingConnector & Partial<HostsWebhookEndpoints>;
  return typeof candidate.createWebhookEndpoint === 'function' &&
    typeof candidate.updateWebhookEndpoint === 'function' &&
    typeof candidate.deleteWebhookEndpoint === 'function'
    ? (candidate as HostsWebhookEndpoints)
    : undefined;
}

const PERMISSION = 'Webhook Endpoints: write';

/** Stripe's 403 in words a person can act on: which permission to add to the restricted key. */
function withPermissionNamed(error: unknown, what: string): unknown {
  if (!isLeashError(error, 'forbidden') || error.details.provider !== 'stripe') return error;
  const permission = typeof error.details.permission === 'string' ? error.details.permission : null;
  return new LeashError(
    'forbidden',
    `Stripe refused to ${what}: the key needs ${PERMISSION}${permission ? ` (${permission})` : ''}. Edit the restricted key in the Stripe dashboard (Developers → API keys), allow ${PERMISSION}, and try again.`,
    { ...error.details, needs: PERMISSION },
  );
}

function toEndpoint(object: Stripe.WebhookEndpoint): StripeEndpoint {
  return { id: object.id, url: object.url, enabledEvents: [...object.enabled_events], status: object.status };
}

async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withPermissionNamed(error, what);
  }
}

/** Creates the endpoint in Stripe under the execution's idempotency key. */
export function createWebhookEndpoint(
  session: StripeSession,
  input: { url: string; events: readonly string[]; description?: string | undefined },
  options: WriteOptions,
): Promise<CreatedStripeEndpoint> {
  const what = 'create the webhook endpoint';
  return guarded(what, async () => {
    const created = await session.write(options.idempotencyKey, what, (stripe, request) =>
      stripe.webhookEndpoints.create(
        {
          url: input.url,
          enabled_events: stripeEventsOf(input.events),
          ...(input.description ? { description: input.description } : {}),
          metadata: session.metadata(options.idempotencyKey),
        },
        request,
      ),
    );
    return { endpoint: toEndpoint(created), ...(created.secret ? { secret: created.secret } : {}) };
  });
}

/** Changes the endpoint's URL, events, description or disabled flag in Stripe. */
export function updateWebhookEndpoint(
  session: StripeSession,
  input: Parameters<HostsWebhookEndpoints['updateWebhookEndpoint']>[0],
  options: WriteOptions,
): Promise<StripeEndpoint> {
  const what = 'update the webhook endpoint';
  return guarded(what, async () => {
    const updated = await session.write(options.idempotencyKey, what, (stripe, request) =>
      stripe.webhookEndpoints.update(
        input.endpointId,
        {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.events !== undefined ? { enabled_events: stripeEventsOf(input.events) } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
        },
        request,
      ),
    );
    return toEndpoint(updated);
  });
}

/** Deletes the endpoint in Stripe; one already gone (a retried execution) counts as deleted. */
export function deleteWebhookEndpoint(
  session: StripeSession,
  input: { endpointId: string },
  _options: WriteOptions,
): Promise<{ id: string; deleted: true }> {
  const what = 'delete the webhook endpoint';
  return guarded(what, async () => {
    try {
      await session.call(what, (stripe) => stripe.webhookEndpoints.del(input.endpointId));
    } catch (error) {
      // Stripe ignores idempotency keys on DELETE: after a lost answer the retry finds nothing left to delete.
      if (!isLeashError(error, 'not_found')) throw error;
    }
    return { id: input.endpointId, deleted: true as const };
  });
}
