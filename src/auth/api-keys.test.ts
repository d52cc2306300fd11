/** API keys: shown once, stored hashed, act with the member's current role, revocable, audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, type LeashFixture, OWNER, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import { isLeashError } from '../domain/errors.ts';
import { createApiKey, listApiKeys, memberForApiKey, revokeApiKey } from './api-keys.ts';
import { changeMemberRole, createOrg } from './members.ts';

describe(`API keys (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  it('a key is shown once, stored only as a hash, and acts as its member', async () => {
    const clerk = await fixture.member(CLERK);
    const { key, info } = await createApiKey(fixture.store.db, clerk, 'Claude Desktop');
    expect(key).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    const row = await fixture.store.db
      .selectFrom('apiKeys')
      .selectAll()
      .where('id', '=', info.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.prefix).toBe(key.slice(0, 10));
    expect((await memberForApiKey(fixture.store.db, key))?.email).toBe(CLERK);
    expect(
      (
        await fixture.store.db
          .selectFrom('apiKeys')
          .select('lastUsedAt')
          .where('id', '=', info.id)
          .executeTakeFirstOrThrow()
      ).lastUsedAt,
    ).not.toBeNull();
    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 20 });
    const created = events.find((event) => event.event === 'auth.key_created');
    expect(JSON.stringify(created)).not.toContain(key);
  });

  it('unknown, malformed and revoked keys are refused alike', async () => {
    const clerk = await fixture.member(CLERK);
    const { key, info } = await createApiKey(fixture.store.db, clerk, 'to revoke');
    expect(await memberForApiKey(fixture.store.db, `${key.slice(0, -1)}x`)).toBeUndefined();
    expect(await memberForApiKey(fixture.store.db, 'sk_live_123')).toBeUndefined();
    const reader = await fixture.member(READER);
    const refused = await revokeApiKey(fixture.store.db, reader, info.id).catch((error: unknown) => error);
    expect(isLeashError(refused, 'not_found')).toBe(true);
    await revokeApiKey(fixture.store.db, clerk, info.id);
    expect(await memberForApiKey(fixture.store.db, key)).toBeUndefined();
  });

  it("a key follows its member's current role; the owner lists every key, a member only their own", async () => {
    const reader = await fixture.member(READER);
    const { key } = await createApiKey(fixture.store.db, reader, 'automation');
    await changeMemberRole(fixture.store.db, fixture.orgId, READER, 'billing_clerk');
    expect((await memberForApiKey(fixture.store.db, key))?.role).toBe('billing_clerk');
    await changeMemberRole(fixture.store.db, fixture.orgId, READER, 'read_only');
    expect((await memberForApiKey(fixture.store.db, key))?.role).toBe('read_only');
    const all = await listApiKeys(fixture.store.db, await fixture.member(OWNER));
    const mine = await listApiKeys(fixture.store.db, reader);
    expect(all.length).toBeGreaterThan(mine.length);
    expect(mine.every((info) => info.memberId === reader.id)).toBe(true);
  });

  it("another org's key never names a member of this org", async () => {
    const other = await createOrg(fixture.store.db, { name: 'Other Co', ownerEmail: 'boss@other.test' });
    const { key } = await createApiKey(fixture.store.db, other.owner, 'other');
    const member = await memberForApiKey(fixture.store.db, key);
    expect(member?.orgId).toBe(other.org.id);
    expect(member?.orgId).not.toBe(fixture.orgId);
  });
});
