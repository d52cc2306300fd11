import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, testStoreKind } from '../../test/support/store.ts';
import { openStore, type Store } from './db.ts';

describe(`store (${testStoreKind})`, () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store.close());

  it('migrates and round-trips bigint money as exact numbers', async () => {
    await store.db.insertInto('orgs').values({ id: 'org_1', name: 'Test' }).execute();
    const row = await sql<{
      big: number;
      total: number;
    }>`select 9007199254740991::bigint as big, sum(x)::numeric as total from (values (1::bigint), (2::bigint)) v(x)`.execute(
      store.db,
    );
    expect(row.rows[0]).toEqual({ big: 9007199254740991, total: 3 });
    const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
    expect(org.policyProfile).toBe('short-leash');
    expect(org.createdAt).toBeInstanceOf(Date);
  });

  it('parses jsonb on read', async () => {
    await store.db
      .insertInto('members')
      .values({
        id: 'mem_1',
        orgId: 'org_1',
        email: 'a@example.com',
        role: 'owner',
        groups: JSON.stringify(['finance']),
      })
      .execute();
    const member = await store.db.selectFrom('members').selectAll().executeTakeFirstOrThrow();
    expect(member.groups).toEqual(['finance']);
  });
});

describe('choosing the engine', () => {
  it('a named data directory opens PGlite even when DATABASE_URL is set (it must never touch that database)', async () => {
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/never';
    try {
      const store = await openStore({ dataDir: 'memory://' });
      try {
        expect(store.kind).toBe('pglite');
      } finally {
        await store.close();
      }
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  });
});
