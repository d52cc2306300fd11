/**
 * Row-level security as a second wall: inside an org scope, a query that forgets its org filter still sees,
 * and can write, only that org's rows; every table holding org data has a policy.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/support/store.ts';
import { createOrg } from '../auth/members.ts';
import type { Store } from './db.ts';
import { withOrgScope } from './org-scope.ts';

describe('org scope (row-level security)', () => {
  let store: Store;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    store = await openTestStore();
    orgA = (await createOrg(store.db, { name: 'A', ownerEmail: 'a@a.test' })).org.id;
    orgB = (await createOrg(store.db, { name: 'B', ownerEmail: 'b@b.test' })).org.id;
  });
  afterAll(() => store.close());

  it('shows only the scoped org, even to a query without an org filter', async () => {
    const unscoped = await store.db.selectFrom('members').select('orgId').execute();
    expect(new Set(unscoped.map((row) => row.orgId))).toEqual(new Set([orgA, orgB]));
    const scoped = await withOrgScope(orgA, () => store.db.selectFrom('members').select('orgId').execute());
    expect(scoped.map((row) => row.orgId)).toEqual([orgA]);
    const orgs = await withOrgScope(orgB, () => store.db.selectFrom('orgs').select('id').execute());
    expect(orgs.map((row) => row.id)).toEqual([orgB]);
    // Back outside the scope, the connection is itself again.
    expect((await store.db.selectFrom('orgs').select('id').execute()).length).toBe(2);
  });

  it('refuses writes into another org and cannot touch its rows', async () => {
    await expect(
      withOrgScope(orgA, () =>
        store.db
          .insertInto('members')
          .values({ id: 'mem_intruder', orgId: orgB, email: 'x@b.test', role: 'owner', groups: '[]', name: '' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await withOrgScope(orgA, () =>
      store.db.updateTable('members').set({ name: 'renamed' }).where('orgId', '=', orgB).executeTakeFirst(),
    );
    expect(Number(updated.numUpdatedRows)).toBe(0);
  });

  it('holds inside transactions and across concurrent scopes', async () => {
    const [a, b] = await Promise.all([
      withOrgScope(orgA, () =>
        store.db.transaction().execute((trx) => trx.selectFrom('members').select('orgId').execute()),
      ),
      withOrgScope(orgB, () => store.db.selectFrom('members').select('orgId').execute()),
    ]);
    expect(a.map((row) => row.orgId)).toEqual([orgA]);
    expect(b.map((row) => row.orgId)).toEqual([orgB]);
  });

  it('has a policy on every table that holds org data', async () => {
    const { rows } = await sql<{ relname: string; relrowsecurity: boolean }>`
      select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' and c.relname not like 'kysely_%'`.execute(store.db);
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((row) => !row.relrowsecurity).map((row) => row.relname)).toEqual([]);
  });
});
