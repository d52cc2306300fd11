/**
 * Webhook endpoints hosted by Stripe (issue 20): on an org connected to Stripe, `create_webhook_endpoint` creates
 * the endpoint in Stripe, which then signs and delivers Stripe's own events. Leash keeps the row so listings,
 * update and delete find it, marked `host = 'stripe'` (Leash's deliverer skips it) and with no secret at all:
 * Stripe signs those deliveries and the receiver verifies them, so Leash never needs the secret Stripe shows once.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Adds webhook_endpoints.host and lets secret_sealed be null (a Stripe-hosted endpoint's secret is not kept). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table webhook_endpoints add column host text not null default 'leash' check (host in ('leash', 'stripe'));
    alter table webhook_endpoints alter column secret_sealed drop not null;
    alter table webhook_endpoints add constraint webhook_endpoints_secret_by_host
      check ((host = 'leash') = (secret_sealed is not null))
    `,
  );
}
