/**
 * search_customers at scale (issue 21): the exact paths (id, invoice number, email, email domain), the fuzzy name
 * match kept as before (a typo still finds the name, best match first), part of an address through the email's
 * trigram index, and a count that stops at its cap instead of counting every match. Real store (PGlite, or
 * PostgreSQL with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer } from '../domain/billing.ts';
import { runRead } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `search_${++keys}` });

describe(`search_customers (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let hooli: Customer;
  let globex: Customer;
  let invoiceId: string;
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
});
