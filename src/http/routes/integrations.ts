/**
 * The billing provider over HTTP, as `leash connect status|stripe` and `leash disconnect stripe` do it: any member
 * sees the status (mode, the key's last four characters, permissions — never the key); the owner connects, rotates
 * and disconnects. The key posted here is handed to the operation and never echoed, logged or returned.
 */
import { z } from 'zod';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

// The Stripe SDK loads only when a provider route is used, as it does for the CLI's connect commands.
const integrations = () => import('../../operations/integrations.ts');

/** Registers the provider routes. */
export function registerIntegrationRoutes(app: TypedApp, deps: ServerDeps): void {
  const writeLimit = writeRateLimit(deps);

  app.get(
    '/api/integrations/stripe',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Whether Stripe is connected: mode, key hint (last four characters) and permissions, never the key',
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ org }) => ({
        integration: await (await integrations()).stripeIntegration(deps.store.db, org.id),
      })),
  );

  app.post(
    '/api/integrations/stripe',
    {
      config: writeLimit,
      schema: {
        tags: ['integrations'],
        summary: 'Connect Stripe with a restricted key (owner only); connecting again rotates the key',
        description:
          'Secret (sk_) and publishable (pk_) keys are refused; the key is probed for the permissions Leash needs before it is stored, sealed with AES-256-GCM. The answer names the permissions, never the key.',
        body: z
          .object({ key: z.string().min(1).max(500), webhook_secret: z.string().min(1).max(500).optional() })
          .strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ member }) => {
        const result = await (await integrations()).connectStripe(deps.store.db, {
          member,
          key: request.body.key,
          masterKey: deps.masterKey(),
          ...(request.body.webhook_secret ? { webhookSecret: request.body.webhook_secret } : {}),
        });
        return { integration: result.integration, rotated: result.rotated, report: result.report };
      }),
  );

  app.delete(
    '/api/integrations/stripe',
    {
      config: writeLimit,
      schema: { tags: ['integrations'], summary: 'Disconnect Stripe (owner only): the stored key is erased' },
    },
    async (request) =>
      asCaller(deps, request, async ({ member }) => ({
        integration: await (await integrations()).disconnectStripe(deps.store.db, member),
      })),
  );

  app.post(
    '/api/integrations/stripe/sync',
    {
      config: writeLimit,
      schema: {
        tags: ['integrations'],
        summary: 'Mirror the connected Stripe account now (owner or billing manager)',
        description:
          'The first sync lists everything (resumable; large accounts are better synced with `leash sync stripe`, which shows progress) and moves the org’s operations to Stripe; later ones apply the events since. Answers with what was listed and applied.',
        body: z.object({ full: z.boolean().optional() }).strict().optional(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ member }) => {
        const { syncStripe } = await import('../../operations/stripe-sync.ts');
        return { sync: await syncStripe(deps.store.db, member, request.body?.full ? { full: true } : {}) };
      }),
  );
}
