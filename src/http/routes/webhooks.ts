/**
 * `/webhooks/stripe` (and `/webhooks/stripe/:orgId` when several orgs receive webhooks): Stripe's deliveries,
 * verified against the org's signing secret on the raw body, applied to the mirror once. Answers 200 for an
 * applied, stale (older than the state held), duplicate or ignored event — Stripe should not resend those — and
 * 401 for a bad or stale signature (nothing changes).
 */
import { withOrgScope } from '../../store/org-scope.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

// The Stripe SDK loads only when a delivery arrives.
const sync = () => import('../../operations/stripe-sync.ts');

/** Registers the Stripe webhook routes, with a raw-body JSON parser of their own. */
export function registerWebhookRoutes(app: TypedApp, deps: ServerDeps): void {
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: 1_048_576 },
      (_request, body, done) => done(null, body),
    );
    const receive = async (orgId: string | undefined, payload: unknown, signature: string | string[] | undefined) => {
      const operations = await sync();
      const org = orgId ?? (await operations.soleWebhookOrg(deps.store.db));
      const receipt = await withOrgScope(org, () =>
        operations.receiveStripeWebhook(deps.store.db, {
          orgId: org,
          payload: Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload ?? '')),
          signature: Array.isArray(signature) ? signature[0] : signature,
          masterKey: deps.masterKey(),
        }),
      );
      return { received: true, ...receipt };
    };
    scope.post('/webhooks/stripe', { schema: { hide: true } }, async (request) =>
      receive(undefined, request.body, request.headers['stripe-signature']),
    );
    scope.post<{ Params: { orgId: string } }>('/webhooks/stripe/:orgId', { schema: { hide: true } }, async (request) =>
      receive(request.params.orgId, request.body, request.headers['stripe-signature']),
    );
  });
}
