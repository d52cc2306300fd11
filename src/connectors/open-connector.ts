/** Opens an org's billing connector on an executor: the embedded ledger (Stripe joins when connected). */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { BillingConnector } from './connector.ts';
import { LedgerConnector } from './ledger/ledger-connector.ts';

/** The connector operations use for `orgId`, bound to `executor` (the db or the operation's transaction). */
export function openConnector(executor: Kysely<Database> | Transaction<Database>, orgId: string): BillingConnector {
  return new LedgerConnector(executor, orgId);
}
