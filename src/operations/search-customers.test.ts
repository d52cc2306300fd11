/**
 * search_customers at scale (issue 21): the exact paths (id, invoice number, email, email domain), the fuzzy name
 * match kept as before (a typo still finds the name, best match first), part of an address through the email's
 * trigram index, and a count that stops at its cap instead of counting every match; inside the org scope (the
 * server's row-level security, where the search goes through leash_customer_matches, migration 0036) the same
 * answers, and never another org's customers. Real store (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { createOrg } from '../auth/members.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer } from '../domain/billing.ts';
import { withOrgScope } from '../store/org-scope.ts';
import { findMentions } from './resolve-mentions.ts';
import { runRead } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `search_${++keys}` });

describe(`search_customers (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let hooli: Customer;
  let globex: Customer;
  let invoiceId: string;
  let otherOrg: string;
  const search = async (query: string) =>
    (await runRead(await fixture.context(READER), 'search_customers', { query })) as {
      customers: Customer[];
      count: number;
      countIsAtLeast?: boolean;
    };
  const names = async (query: string) => (await search(query)).customers.map((customer) => customer.name);

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    const add = (name: string, email: string) =>
      ledger.createCustomer({ name, email, country: 'US', currency: 'usd' }, key());
    hooli = await add('Hooli Payments', 'ap@zeta-holdings.test');
    await add('Nimbus Robotics', 'billing@zeta-holdings.test');
    globex = await add('Globex Corporation', 'finance@globex.test');
    await add('Globe Trotters', 'hello@trotters.test');
    await add('Initech', 'accounts@initech.test');
    await add('Initeck', 'hello@initeck.test');
    const invoice = await ledger.createInvoice(
      { customerId: globex.id, lines: [{ description: 'Setup', amount: 5_000 }] },
      key(),
    );
    invoiceId = invoice.id;
    // Another org with customers every search below would match, were it not for the org.
    otherOrg = (await createOrg(fixture.store.db, { name: 'Other', ownerEmail: 'o@other.test' })).org.id;
    const other = new LedgerConnector(fixture.store.db, otherOrg);
    const lookAlikes: [string, string][] = [
      ['Hooli Payments Twin', 'ap@zeta-holdings.test'],
      ['Globex Corporation', 'finance2@globex.test'],
      ['Initech', 'other@initech.test'],
      ['Oolong Tea', 'ap@zeta-hold.test'],
    ];
    for (const [name, email] of lookAlikes)
      await other.createCustomer({ name, email, country: 'US', currency: 'usd' }, key());
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('finds customers by the domain of their email, whatever their names', async () => {
    expect(await names('zeta-holdings.test')).toEqual(['Hooli Payments', 'Nimbus Robotics']);
    expect(await names('@zeta-holdings.test')).toEqual(['Hooli Payments', 'Nimbus Robotics']);
    expect((await search('zeta-holdings.test')).count).toBe(2);
  });

  it('finds an exact email at once, and part of an address through the trigram index', async () => {
    expect(await names('AP@zeta-holdings.test')).toEqual(['Hooli Payments']);
    expect(await names('ap@zeta-hold')).toEqual(['Hooli Payments']);
  });

  it('keeps the exact paths and the fuzzy name match: id, invoice, a typo, best match first', async () => {
    expect(await names(hooli.id)).toEqual(['Hooli Payments']);
    expect(await names(invoiceId)).toEqual(['Globex Corporation']);
    expect((await names('Globx Corporation'))[0]).toBe('Globex Corporation');
    expect(await names('globe')).toEqual(expect.arrayContaining(['Globe Trotters', 'Globex Corporation']));
    expect((await names('globe trotters'))[0]).toBe('Globe Trotters');
  });

  it('names that contain the text answer alone; look-alikes only when no name contains it', async () => {
    // "initech" is in one name: "Initeck" looks like it but is not listed.
    expect(await names('initech')).toEqual(['Initech']);
    // "initek" is in no name: the typo-tolerant match lists both look-alikes.
    expect(await names('initek')).toEqual(expect.arrayContaining(['Initech', 'Initeck']));
  });

  it('counts matches up to a cap: the answer says "more than" instead of reading every row', async () => {
    // Every name but Initech's and Initeck's has an "o".
    expect(await ledger.countCustomers({ text: 'o' })).toBe(4);
    expect(await ledger.countCustomers({ text: 'o' }, { atMost: 2 })).toBe(3);
    expect(await ledger.countCustomers({ text: 'o' }, { atMost: 10 })).toBe(4);
    const answer = await search('o');
    expect(answer).toMatchObject({ count: 4 });
    expect(answer.countIsAtLeast).toBeUndefined();
  });

  it('a page and its count in one pass: what findCustomers and countCustomers answer, pages and the cap included', async () => {
    const queries = ['o', 'globe', 'Globx Corporation', 'zeta-holdings.test', 'ap@zeta-hold', 'initek', hooli.id, ''];
    const pages = [{ limit: 2 }, { limit: 2, offset: 2 }, { limit: 20, offset: 50 }, { limit: 20 }];
    let compared = 0;
    for (const text of queries)
      for (const page of pages)
        for (const atMost of [undefined, 1, 3]) {
          const query = { ...(text ? { text } : {}), ...page };
          const options = atMost === undefined ? {} : { atMost };
          const both = await ledger.searchCustomers(query, options);
          expect(both.customers.map((customer) => customer.id)).toEqual(
            (await ledger.findCustomers(query)).map((customer) => customer.id),
          );
          expect(both.count).toBe(await ledger.countCustomers({ ...(text ? { text } : {}) }, options));
          compared += 1;
        }
    expect(compared).toBe(96);
    // The page past the end still counts.
    expect(await ledger.searchCustomers({ text: 'o', limit: 20, offset: 50 })).toEqual({ customers: [], count: 4 });
  });

  it('answers the same inside the org scope, through the indexes, and never with another org', async () => {
    const queries = [
      'zeta-holdings.test',
      'AP@zeta-holdings.test',
      'ap@zeta-hold',
      'Globx Corporation',
      'globe',
      'initech',
      'initek',
      'o',
      hooli.id,
    ];
    const outside = await Promise.all(queries.map(names));
    const inside = await withOrgScope(fixture.orgId, () => Promise.all(queries.map(names)));
    expect(inside).toEqual(outside);
    // Every id the org's searches return is the org's; the other org's look-alikes never come back.
    const scopedIds = await withOrgScope(fixture.orgId, async () =>
      (await Promise.all(queries.map(search))).flatMap((answer) => answer.customers.map((customer) => customer.id)),
    );
    const own = new Set((await ledger.findCustomers({ limit: 1000 })).map((customer) => customer.id));
    expect(scopedIds.every((id) => own.has(id))).toBe(true);
    // The other org finds its own.
    const theirs = new LedgerConnector(fixture.store.db, otherOrg);
    const found = await withOrgScope(otherOrg, () => theirs.findCustomers({ text: 'hooli' }));
    expect(found.map((customer) => customer.name)).toEqual(['Hooli Payments Twin']);
  });

  it('the match functions refuse another org inside a scope, and an unknown mode anywhere', async () => {
    const call = (org: string, mode: string) =>
      sql`select id from leash_customer_matches(${org}, ${mode}, ${'%o%'}, ${null}::integer)`.execute(fixture.store.db);
    await expect(withOrgScope(fixture.orgId, () => call(otherOrg, 'name_like'))).rejects.toThrow(
      /outside the org scope/,
    );
    await expect(call(otherOrg, 'drop table customers')).rejects.toThrow(/unknown customer match mode/);
    // The gazetteer's and the outbound scan's functions check the scope the same way.
    const candidates = (org: string) =>
      sql`select id from leash_customer_candidates(${org}, ${['hooli']}::text[], ${['hooli%']}::text[], ${['hooli']}::text[], ${[]}::text[], 10)`.execute(
        fixture.store.db,
      );
    const named = (org: string) =>
      sql`select id from leash_customers_named(${org}, ${['initech']}::text[], 10)`.execute(fixture.store.db);
    await expect(withOrgScope(fixture.orgId, () => candidates(otherOrg))).rejects.toThrow(/outside the org scope/);
    await expect(withOrgScope(fixture.orgId, () => named(otherOrg))).rejects.toThrow(/outside the org scope/);
    expect((await withOrgScope(otherOrg, () => candidates(otherOrg))).rows.length).toBe(1);
    expect((await withOrgScope(otherOrg, () => named(otherOrg))).rows.length).toBe(1);
    expect((await withOrgScope(fixture.orgId, () => named(fixture.orgId))).rows.length).toBe(1);
    // Outside a scope (the owner's own role, local mode) it answers for the org it is given.
    expect((await call(otherOrg, 'name_like')).rows.length).toBe(3);
    expect((await withOrgScope(otherOrg, () => call(otherOrg, 'name_like'))).rows.length).toBe(3);
  });

  it("chat's customer mentions find the customer a request names among hundreds of look-alike names that sort before it", async () => {
    // Each phrase of the request keeps its own best matches (migration 0039). Before, the names every phrase
    // matched were cut at the first 300 by name: at 100k customers the named customer was left out 40 times in 40.
    const org = (await createOrg(fixture.store.db, { name: 'Look-alikes', ownerEmail: 'o@look.test' })).org.id;
    const ledger = new LedgerConnector(fixture.store.db, org);
    for (let index = 0; index < 320; index += 1)
      await ledger.createCustomer(
        { name: `Alpha Finance LLC ${index}`, email: `a${index}@alpha.test`, country: 'US', currency: 'usd' },
        key(),
      );
    const named = await ledger.createCustomer(
      { name: 'Metro Finance LLC 9', email: 'ap@metro.test', country: 'US', currency: 'usd' },
      key(),
    );
    const mentions = await withOrgScope(org, () =>
      findMentions(ledger, 'Why was Metro Finance LLC 9 charged twice last month?'),
    );
    expect(mentions.customers.map((mention) => mention.candidates.map((candidate) => candidate.id))).toEqual([
      [named.id],
    ]);
  });
});
