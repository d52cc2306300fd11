/**
 * create_webhook_endpoint / update_webhook_endpoint / delete_webhook_endpoint (kind messaging.webhook, Integrate
 * mode): subscribe a URL to Leash's billing events (src/webhooks). Through the one pipeline like any write: the
 * card shows the URL and every event; the URL is checked (https, public address) before anything is proposed.
 * On creation the signing secret is returned once, under `shownOnce` (kept out of the stored result and the
 * audit log by execute-proposal.ts). On Stripe the endpoint is made in Stripe (which signs and sends Stripe's own
 * events; Leash keeps the row, no secret); on the ledger Leash delivers its own events.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import { endpointHost, stripeEventsOf } from '../connectors/stripe/stripe-webhook-endpoints.ts';
import { badInput, invalidState, notFound } from '../domain/errors.ts';
import { endpointUrlProblem } from '../webhooks/endpoint-url.ts';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  recordHostedEndpoint,
  updateEndpoint,
  type WebhookEndpoint,
} from '../webhooks/endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/event-types.ts';
import { defineWrite } from './define-operation.ts';
import { idOf, writeContextFields } from './write-fields.ts';

const url = z
  .string()
  .max(2000)
  .describe('The endpoint URL, https and a public address, e.g. https://example.com/hooks/billing');
const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((list) => new Set(list).size === list.length, { message: 'an event is listed twice' })
  .describe(`The billing events to deliver: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
const description = z.string().max(500).describe('What the endpoint is for, e.g. "onboarding"');
const endpointId = idOf('we', 'webhook endpoint').describe('The endpoint id (we_…)');

function checkedUrl(value: string): string {
  const problem = endpointUrlProblem(value);
  if (problem) throw badInput('url', problem);
  return value;
}

/** The org an execution acts for: bound at proposal time from the session, never from input. */
function orgOf(bound: Record<string, unknown>): string {
  if (typeof bound.orgId !== 'string') throw invalidState('the approved facts name no org');
  return bound.orgId;
}

/** Where an org's new endpoints live: in Stripe when the org bills through Stripe, else Leash delivers. */
function hostOf(connector: BillingConnector): 'leash' | 'stripe' {
  return endpointHost(connector) ? 'stripe' : 'leash';
}

/** The connector that hosts `endpoint`; an endpoint made in Stripe cannot be changed once the org left Stripe. */
function hostingConnector(connector: BillingConnector, endpoint: WebhookEndpoint) {
  if (endpoint.host === 'leash') return undefined;
  const host = endpointHost(connector);
  if (!host)
    throw invalidState(
      `webhook endpoint ${endpoint.id} lives in Stripe, and this org is not connected to Stripe now: change it in the Stripe dashboard`,
    );
  return host;
}

/** The card's line naming the Stripe events an endpoint in Stripe will receive (what the person consents to). */
function stripeEventsChange(from: readonly string[] | null, to: readonly string[]) {
  return {
    field: 'stripe_events',
    from: from ? stripeEventsOf(from).join(', ') : null,
    to: stripeEventsOf(to).join(', '),
  };
}

/** Input of create_webhook_endpoint. */
export const createWebhookEndpointInput = z
  .object({ url, events, description: description.optional(), ...writeContextFields })
  .strict();

/** Subscribes a URL to billing events; the signing secret is shown once when it executes. */
export const createWebhookEndpoint = defineWrite({
  name: 'create_webhook_endpoint',
  description:
    'Send billing events (subscription created/updated/canceled, invoice finalized/paid/payment_failed, refund created, customer updated) to a URL, signed per Standard Webhooks; the signing secret is shown once.',
  kind: 'messaging.webhook',
  input: createWebhookEndpointInput,
  destructive: false,
  async facts(context, input, connector) {
    checkedUrl(input.url);
    const host = hostOf(connector);
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true, changedFields: ['url', 'events'] },
      preview: {
        summary: `Send ${input.events.join(', ')} to ${input.url}${host === 'stripe' ? ' (a webhook endpoint in Stripe: Stripe signs and sends its events)' : ''}`,
        changes: [
          { field: 'url', from: null, to: input.url },
          { field: 'events', from: null, to: input.events.join(', ') },
          ...(host === 'stripe' ? [stripeEventsChange(null, input.events)] : []),
          ...(input.description ? [{ field: 'description', from: null, to: input.description }] : []),
        ],
        money: null,
        customers: [],
        targets: [input.url],
        reversible: true,
        details: { url: input.url, events: input.events, description: input.description ?? '', host },
      },
      subjects: {},
      bound: { orgId: context.actor.orgId, url: input.url, events: input.events, host },
    };
  },
  async execute(input, connector, idempotencyKey, bound, executor) {
    const host = endpointHost(connector);
    if (bound.host === 'stripe' || host) {
      // The card said where the endpoint would live; a connector that changed since then does not move it.
      if (bound.host !== 'stripe' || !host)
        throw invalidState('the org changed billing systems since this was proposed');
      const made = await host.createWebhookEndpoint(input, { idempotencyKey });
      const endpoint = await recordHostedEndpoint(executor, orgOf(bound), {
        id: made.endpoint.id,
        url: made.endpoint.url,
        events: input.events,
        description: input.description,
      });
      return {
        ...endpoint,
        stripeEvents: made.endpoint.enabledEvents,
        ...(made.secret
          ? {
              shownOnce: {
                signingSecret: made.secret,
                note: 'Stripe signs these deliveries with this secret. Store it now: Leash does not keep it and it is not shown again.',
              },
            }
          : {}),
      };
    }
    const created = await createEndpoint(executor, orgOf(bound), input, idempotencyKey);
    return {
      ...created.endpoint,
      ...(created.signingSecret
        ? { shownOnce: { signingSecret: created.signingSecret, note: 'Store this secret now: it is not shown again.' } }
        : {}),
    };
  },
});

/** Input of update_webhook_endpoint. */
export const updateWebhookEndpointInput = z
  .object({
    endpoint_id: endpointId,
    url: url.optional(),
    events: events.optional(),
    description: description.optional(),
    disabled: z.boolean().optional().describe('true pauses deliveries to the endpoint; false resumes them'),
    ...writeContextFields,
  })
  .strict();

/** Changes an endpoint's URL, events, description, or pauses it. */
export const updateWebhookEndpoint = defineWrite({
  name: 'update_webhook_endpoint',
  description: "Change a webhook endpoint's URL, events or description, or pause (disabled: true) its deliveries.",
  kind: 'messaging.webhook',
  input: updateWebhookEndpointInput,
  destructive: false,
  async facts(context, input, connector) {
    if (input.url !== undefined) checkedUrl(input.url);
    const endpoint = await findEndpoint(context.db, context.actor.orgId, input.endpoint_id);
    if (!endpoint) throw notFound('webhook endpoint', input.endpoint_id);
    hostingConnector(connector, endpoint);
    const changes = [
      ...(input.url !== undefined ? [{ field: 'url', from: endpoint.url, to: input.url }] : []),
      ...(input.events !== undefined
        ? [{ field: 'events', from: endpoint.events.join(', '), to: input.events.join(', ') }]
        : []),
      ...(input.description !== undefined
        ? [{ field: 'description', from: endpoint.description, to: input.description }]
        : []),
      ...(input.disabled !== undefined ? [{ field: 'disabled', from: endpoint.disabled, to: input.disabled }] : []),
    ];
    if (changes.length === 0)
      throw badInput('endpoint_id', 'nothing to change: give url, events, description or disabled');
    const shown =
      endpoint.host === 'stripe' && input.events !== undefined
        ? [...changes, stripeEventsChange(endpoint.events, input.events)]
        : changes;
    return {
      // The fields changed, so the policy can ask a second person when the URL or the events change.
      decision: {
        customerIds: [],
        targetCount: 1,
        reversible: true,
        changedFields: changes.map((change) => change.field),
      },
      preview: {
        summary: `Update webhook ${endpoint.id} (${endpoint.url}${endpoint.host === 'stripe' ? ', in Stripe' : ''}): ${changes.map((change) => `${change.field} → ${String(change.to)}`).join('; ')}`,
        changes: shown,
        money: null,
        customers: [],
        targets: [endpoint.id],
        reversible: true,
        details: { endpointId: endpoint.id },
      },
      subjects: {},
      bound: { orgId: context.actor.orgId, endpointId: endpoint.id, changes: JSON.parse(JSON.stringify(changes)) },
    };
  },
  async execute(input, connector, idempotencyKey, bound, executor) {
    const orgId = orgOf(bound);
    const endpoint = await findEndpoint(executor, orgId, input.endpoint_id);
    if (!endpoint) throw notFound('webhook endpoint', input.endpoint_id);
    const host = hostingConnector(connector, endpoint);
    if (host)
      await host.updateWebhookEndpoint(
        {
          endpointId: endpoint.id,
          url: input.url,
          events: input.events,
          description: input.description,
          disabled: input.disabled,
        },
        { idempotencyKey },
      );
    return updateEndpoint(executor, orgId, input.endpoint_id, input);
  },
});

/** Input of delete_webhook_endpoint. */
export const deleteWebhookEndpointInput = z.object({ endpoint_id: endpointId, ...writeContextFields }).strict();

/** Deletes an endpoint: no further deliveries; its delivery history is kept. */
export const deleteWebhookEndpoint = defineWrite({
  name: 'delete_webhook_endpoint',
  description: 'Delete a webhook endpoint: Leash stops delivering to it (its delivery history is kept).',
  kind: 'messaging.webhook',
  input: deleteWebhookEndpointInput,
  destructive: false,
  async facts(context, input, connector) {
    const endpoint = await findEndpoint(context.db, context.actor.orgId, input.endpoint_id);
    if (!endpoint) throw notFound('webhook endpoint', input.endpoint_id);
    hostingConnector(connector, endpoint);
    return {
      decision: { customerIds: [], targetCount: 1, reversible: false },
      preview: {
        summary: `Delete webhook ${endpoint.id} (${endpoint.url}; ${endpoint.events.join(', ')})`,
        changes: [{ field: 'endpoint', from: endpoint.url, to: null }],
        money: null,
        customers: [],
        targets: [endpoint.id],
        reversible: false,
        details: { endpointId: endpoint.id, url: endpoint.url, events: endpoint.events },
      },
      subjects: {},
      bound: { orgId: context.actor.orgId, endpointId: endpoint.id },
    };
  },
  async execute(input, connector, idempotencyKey, bound, executor) {
    const orgId = orgOf(bound);
    const endpoint = await findEndpoint(executor, orgId, input.endpoint_id);
    const host = endpoint ? hostingConnector(connector, endpoint) : undefined;
    if (host) await host.deleteWebhookEndpoint({ endpointId: input.endpoint_id }, { idempotencyKey });
    return deleteEndpoint(executor, orgId, input.endpoint_id);
  },
});
