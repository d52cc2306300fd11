/**
 * Leash's own outbound webhooks over HTTP (issue 20): `GET /api/webhooks/endpoints` lists the org's endpoints (never
 * their secrets), `GET /api/webhooks/deliveries` lists deliveries a page at a time with how many match (filter by
 * endpoint and status: pending, retrying, delivered, dead), `GET /api/webhooks/deliveries/{id}` reads one, and
 * `POST /api/webhooks/deliveries/{id}/redeliver` puts a dead or delivered one back in the queue (owner and billing
 * managers; audited). Any member may read. Endpoints themselves are created, changed and deleted through the
 * operations (`POST /api/operations/create_webhook_endpoint` …), like every write.
 */
import { z } from 'zod';
import { notFound } from '../../domain/errors.ts';
import { DELIVERY_STATUSES } from '../../webhooks/deliveries.ts';
import { listEndpoints } from '../../webhooks/endpoints.ts';
import { deliveriesFor, deliveryCountFor, redeliverAsMember } from '../../webhooks/manage.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

const DELIVERY_ID = z.string().regex(/^whd_[A-Za-z0-9]{1,64}$/, 'a delivery id looks like whd_…');

/** Registers the outbound webhook routes. */
export function registerOutboundWebhookRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/webhooks/endpoints',
    {
      schema: {
        tags: ['webhooks'],
        summary: "The org's webhook endpoints, oldest first (URL, events, enabled, created; never the secret)",
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({
        endpoints: await listEndpoints(context.db, context.actor.orgId),
      })),
  );

  app.get(
    '/api/webhooks/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Outbound webhook deliveries, newest first, a page at a time with the count that match (state: pending — not delivered yet, retrying among them; delivered; dead)',
        querystring: z
          .object({
            endpoint: z
              .string()
              .regex(/^we_[A-Za-z0-9]{1,64}$/, 'an endpoint id looks like we_…')
              .optional(),
            state: z.enum(DELIVERY_STATUSES).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          })
          .strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const { endpoint, state, limit, offset } = request.query;
        const filter = {
          endpointId: endpoint,
          state: state === 'retrying' ? undefined : state,
          retrying: state === 'retrying',
        };
        const deliveries = await deliveriesFor(context, { ...filter, limit, offset });
        return { deliveries, count: await deliveryCountFor(context, filter) };
      }),
  );

  app.get(
    '/api/webhooks/deliveries/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook delivery: its status, attempts and the last answer (the dashboard follows a redelivery)',
        params: z.object({ id: DELIVERY_ID }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const [delivery] = await deliveriesFor(context, { deliveryId: request.params.id, limit: 1 });
        if (!delivery) throw notFound('webhook delivery', request.params.id);
        return { delivery };
      }),
  );

  app.post(
    '/api/webhooks/deliveries/:id/redeliver',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Redeliver a dead or delivered webhook delivery (owner and billing managers; audited)',
        params: z.object({ id: DELIVERY_ID }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({
        delivery: await redeliverAsMember(context, request.params.id),
      })),
  );
}
