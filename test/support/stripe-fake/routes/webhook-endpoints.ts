/**
 * Webhook endpoints (`/v1/webhook_endpoints`): created, changed and deleted as Stripe does — the signing secret
 * (`whsec_…`) only in the answer to the create, `status` following `disabled`, a deleted endpoint answered as
 * `{ id, object, deleted: true }` and gone afterwards (404 `resource_missing`). Permission `rak_webhook_write`.
 */
import { randomBytes } from 'node:crypto';
import { FakeError, invalidRequest } from '../errors.ts';
import { fromTemplate } from '../fixtures.ts';
import { listPage } from '../lists.ts';
import { mergedMetadata } from '../objects.ts';
import { type Route, route } from './route.ts';

const LABEL = 'webhook endpoint';

/** The routes. */
export const webhookEndpointRoutes: Route[] = [
  route('GET', '/v1/webhook_endpoints', 'rak_webhook_read', ({ state, params }) =>
    listPage(state.all('webhook_endpoint'), params, '/v1/webhook_endpoints'),
  ),
  route('POST', '/v1/webhook_endpoints', 'rak_webhook_write', ({ state, params }) => {
    for (const param of ['url', 'enabled_events'])
      if (params[param] === undefined || params[param] === '')
        throw new FakeError(invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param }));
    const endpoint = state.insert(
      'webhook_endpoint',
      fromTemplate('webhook_endpoint', {
        id: state.newId('we'),
        api_version: null,
        application: null,
        created: state.seconds(),
        description: params.description || null,
        enabled_events: [...params.enabled_events],
        livemode: false,
        metadata: mergedMetadata({}, params.metadata),
        status: 'enabled',
        url: params.url,
      }),
    );
    // The secret is shown in this answer only: the stored object never carries it.
    return { ...endpoint, secret: `whsec_${randomBytes(24).toString('base64url')}` };
  }),
  route('GET', '/v1/webhook_endpoints/{webhook_endpoint}', 'rak_webhook_read', ({ state, path }) =>
    state.require('webhook_endpoint', path.webhook_endpoint ?? '', 'id', LABEL),
  ),
  route('POST', '/v1/webhook_endpoints/{webhook_endpoint}', 'rak_webhook_write', ({ state, params, path }) => {
    const endpoint = state.require('webhook_endpoint', path.webhook_endpoint ?? '', 'id', LABEL);
    // Changed in place: Stripe sends no event about its own webhook endpoints.
    if (params.url !== undefined) endpoint.url = params.url;
    if (params.enabled_events !== undefined) endpoint.enabled_events = [...params.enabled_events];
    if (params.description !== undefined) endpoint.description = params.description || null;
    if (params.disabled !== undefined) endpoint.status = params.disabled ? 'disabled' : 'enabled';
    endpoint.metadata = mergedMetadata(endpoint.metadata, params.metadata);
    return endpoint;
  }),
  route('DELETE', '/v1/webhook_endpoints/{webhook_endpoint}', 'rak_webhook_write', ({ state, path }) => {
    const endpoint = state.require('webhook_endpoint', path.webhook_endpoint ?? '', 'id', LABEL);
    state.remove('webhook_endpoint', endpoint.id);
    return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
  }),
];
