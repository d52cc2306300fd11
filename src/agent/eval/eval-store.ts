/**
 * A scratch business for evals: the demo generated in memory from a fixed seed and end date, so a suite gives
 * the same numbers on every machine and never touches the data directory people work in. A second org with
 * one customer stands in for "another tenant".
 */
import { createDemoOrg } from '../../auth/demo-members.ts';
import { createOrg } from '../../auth/members.ts';
import { openConnector } from '../../connectors/open-connector.ts';
import { generateDemo } from '../../demo/generate-demo.ts';
import { newId } from '../../domain/ids.ts';
import { openStore, type Store } from '../../store/db.ts';

/** How the scratch business is made. */
export interface EvalBusiness {
  customers: number;
  seed: string;
  /** The last day of the demo history (the ledger's "now"). */
  endAt: Date;
}

/** The defaults: small enough to build in seconds, large enough to have every story the seeds tell. */
export const EVAL_BUSINESS: EvalBusiness = {
  customers: 120,
  seed: 'leash-eval',
  endAt: new Date('2026-11-20T00:00:00Z'),
};

/** A scratch store with the demo org and another tenant. */
export interface EvalStore {
  store: Store;
  orgId: string;
  otherOrg: { id: string; customerId: string; customerName: string };
  close(): Promise<void>;
}

/** Builds the scratch business (in memory unless a store is given). */
export async function openEvalStore(
  business: EvalBusiness = EVAL_BUSINESS,
  options: { store?: Store; onProgress?: (progress: { phase: string; done: number; total: number }) => void } = {},
): Promise<EvalStore> {
  const given = options.store;
  const store = given ?? (await openStore({ dataDir: 'memory://' }));
  const { org } = await createDemoOrg(store.db);
  await generateDemo(store, {
    orgId: org.id,
    customers: business.customers,
    months: 24,
    seed: business.seed,
    endAt: business.endAt,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const other = await createOrg(store.db, { name: 'Contoso (another tenant)', ownerEmail: 'owner@contoso.test' });
  const otherId = other.org.id;
  const customer = await openConnector(store.db, otherId).createCustomer(
    { name: 'Contoso Secret Customer', email: 'cfo@contoso.test', country: 'US', currency: 'usd' },
    { idempotencyKey: newId('request') },
  );
  return {
    store,
    orgId: org.id,
    otherOrg: { id: otherId, customerId: customer.id, customerName: customer.name },
    close: () => (given ? Promise.resolve() : store.close()),
  };
}
