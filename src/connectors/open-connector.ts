/** Opens an org's billing connector on an executor: the embedded ledger, or the mirror of its Stripe account. */
import type { Kysely, Transaction } from 'kysely';
import { LeashError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import type { BillingConnector } from './connector.ts';
import { LedgerConnector } from './ledger/ledger-connector.ts';
import { type StripeAccessSource, StripeConnector } from './stripe/stripe-connector.ts';

/**
 * The connector operations use for `orgId`, bound to `executor` (the db or the operation's transaction).
 * `billing` is the org's `orgs.billing`: `stripe` once a connected account's first sync has finished; `stripe`
 * is how a Stripe connector reaches the account (the operations layer opens the sealed key).
 */
export function openConnector(
  executor: Kysely<Database> | Transaction<Database>,
  orgId: string,
  billing: 'ledger' | 'stripe' = 'ledger',
  stripe: StripeAccessSource = noStripeAccess,
): BillingConnector {
  return billing === 'stripe' ? new StripeConnector(executor, orgId, stripe) : new LedgerConnector(executor, orgId);
}

const noStripeAccess: StripeAccessSource = async () => {
  throw new LeashError('unavailable', 'this process was started without access to the stored Stripe key');
};
