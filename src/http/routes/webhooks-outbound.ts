/**
 * Leash's own outbound webhooks over HTTP (issue 20): `GET /api/webhooks/deliveries` lists deliveries (filter by
 * endpoint and state), `POST /api/webhooks/deliveries/{id}/redeliver` puts a dead or delivered one back in the
 * queue (owner and billing managers; audited). Endpoints themselves are created, changed and deleted through the
 * operations (`POST /api/operations/create_webhook_endpoint` …), like every write.
 */
import { z } from 'zod';
import { DELIVERY_STATES } from '../../webhooks/deliveries.ts';
import { deliveriesFor, redeliverAsMember } from '../../webhooks/manage.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

const DELIVERY_ID = z.string().regex(/^whd_[A-Za-z0-9]{1,64}$/, 'a delivery id looks like whd_…');

/** Registers the outbound webhook delivery routes. */
export function registerOutboundWebhookRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/webhooks/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Outbound webhook deliveries, newest first (pending, delivered or dead)',
        querystring: z
          .object({
            endpoint: z
              .string()
              .regex(/^we_[A-Za-z0-9]{1,64}$/, 'an endpoint id looks like we_…')
              .optional(),
            state: z.enum(DELIVERY_STATES).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({
        deliveries: await deliveriesFor(context, {
          endpointId: request.query.endpoint,
          state: request.query.state,
          limit: request.query.limit,
        }),
      })),
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
