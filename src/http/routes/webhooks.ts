/** `/webhooks/stripe`: a placeholder that refuses every delivery until a Stripe account is connected. */
import { LeashError } from '../../domain/errors.ts';
import type { TypedApp } from './types.ts';

/** Registers the webhook placeholder. */
export function registerWebhookRoutes(app: TypedApp): void {
  app.post('/webhooks/stripe', { schema: { hide: true } }, async () => {
    throw new LeashError('invalid_state', 'Stripe is not connected to this Leash: nothing is accepted here yet');
  });
}
