/**
 * The Stripe mirror keeps tenants apart like the ledger does: every mirror and sync table has the org policy,
 * and inside one org's scope neither a query without an org filter nor the Stripe connector sees another org's
 * mirrored objects, even when both orgs mirror the same Stripe account (the same object ids).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/auth/members.ts';
import { applyObjects, mirrorOf, mirrorSchemaOf } from '../../src/connectors/stripe/mirror-store.ts';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { applyEvent } from '../../src/connectors/stripe/stripe-sync.ts';
import type { Store } from '../../src/store/db.ts';
import { withOrgScope } from '../../src/store/org-scope.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

const noStripe = async () => {
  throw new Error('these reads never call Stripe');
};

describe(`Stripe mirror tenant isolation (${testStoreKind})`, () => {
  let store: Store;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    store = await openTestStore();
    orgA = (await createOrg(store.db, { name: 'A', ownerEmail: 'a@a.test' })).org.id;
    orgB = (await createOrg(store.db, { name: 'B', ownerEmail: 'b@b.test' })).org.id;
    // Both orgs mirror one account: the same customer id, each org's own copy.
    for (const [orgId, name] of [
      [orgA, 'Seen by A'],
      [orgB, 'Seen by B'],
    ] as const)
      await applyObjects(store.db, orgId, 'customer', [
        { id: 'cus_shared', object: 'customer', name, email: 'ap@shared.test', address: { country: 'US' }, created: 1 },
      ]);
  });
  afterAll(() => store.close());

  it('has the org policy on every mirror table and on the sync tables', async () => {
    const schema = await mirrorSchemaOf(store.db);
    const { rows } = await sql<{ schema: string; relname: string; relrowsecurity: boolean }>`
      select n.nspname as schema, c.relname, c.relrowsecurity from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'r' and (n.nspname = ${schema}
          or (n.nspname = current_schema() and c.relname in ('stripe_sync', 'stripe_events')))`.execute(store.db);
    // 13 mirror tables, the MRR facts (mrr_lines, mrr_changes, mrr_dirty), the MRR movements by month
    // (mrr_months), the payment attempts by day (charge_days), the possible double charges (charge_twins) and the
    // two sync tables.
    expect(rows.length).toBe(21);
    expect(rows.filter((row) => !row.relrowsecurity).map((row) => row.relname)).toEqual([]);
  });

  it('inside A’s scope, an unfiltered query and the connector see only A’s copy', async () => {
    const unscoped = await (await mirrorOf(store.db)).selectFrom('customers').select(['orgId', 'name']).execute();
    expect(unscoped).toHaveLength(2);
    const scoped = await withOrgScope(orgA, async () =>
      (await mirrorOf(store.db)).selectFrom('customers').select(['orgId', 'name']).execute(),
    );
    expect(scoped).toEqual([{ orgId: orgA, name: 'Seen by A' }]);
    const asB = await withOrgScope(orgB, () => new StripeConnector(store.db, orgB, noStripe).getCustomer('cus_shared'));
    expect(asB?.name).toBe('Seen by B');
    const bLooksForA = await withOrgScope(orgB, () =>
      new StripeConnector(store.db, orgA, noStripe).findCustomers({ limit: 10 }),
    );
    expect(bLooksForA).toEqual([]);
  });

  it('an event applied in B’s scope cannot write A’s mirror', async () => {
    const event = {
      id: 'evt_cross_org',
      type: 'customer.updated',
      created: 100,
      data: { object: { id: 'cus_shared', object: 'customer', name: 'Overwritten', created: 1 } },
    };
    await expect(withOrgScope(orgB, () => applyEvent(store.db, orgA, event, 'webhook'))).rejects.toThrow(
      /row-level security/,
    );
    expect((await new StripeConnector(store.db, orgA, noStripe).getCustomer('cus_shared'))?.name).toBe('Seen by A');
  });
});
