import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, testStoreKind } from '../../test/support/store.ts';
import { createDemoOrg } from '../auth/demo-members.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Store } from '../store/db.ts';
import { type DemoSummary, generateDemo } from './generate-demo.ts';

const END = new Date('2026-11-22T00:00:00Z');
const TABLES = [
  'customers',
  'products',
  'prices',
  'coupons',
  'subscriptions',
  'subscriptionItems',
  'invoices',
  'invoiceLines',
  'charges',
  'refunds',
  'balanceTransactions',
] as const;

const CUSTOMERS = 160;

async function build(seed: string): Promise<{ store: Store; summary: DemoSummary; orgId: string }> {
  const store = await openTestStore();
  const { org } = await createDemoOrg(store.db);
  const summary = await generateDemo(store, { orgId: org.id, customers: CUSTOMERS, months: 24, seed, endAt: END });
  return { store, summary, orgId: org.id };
}

/** A digest of every billing row, in id order. */
async function digest(store: Store): Promise<string> {
  const hash = createHash('sha256');
  for (const table of TABLES) {
    const rows = await store.db.selectFrom(table).selectAll().orderBy('id').execute();
    hash.update(`${table}:${JSON.stringify(rows)}\n`);
  }
  return hash.digest('hex');
}

describe(`demo business (${testStoreKind})`, () => {
  let first: Awaited<ReturnType<typeof build>>;
  let second: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    first = await build('42');
    second = await build('42');
  }, 120_000);
  afterAll(async () => {
    await first?.store.close();
    await second?.store.close();
  });

  it('the same seed gives identical rows', async () => {
    expect(await digest(first.store)).toBe(await digest(second.store));
    const { seconds: _a, ...one } = first.summary;
    const { seconds: _b, ...two } = second.summary;
    expect(one).toEqual(two);
  });

  it('has exactly the customers asked for, every one signed up inside the window', async () => {
    expect(first.summary.customers).toBe(CUSTOMERS);
    const rows = await first.store.db.selectFrom('customers').select('createdAt').execute();
    expect(rows).toHaveLength(CUSTOMERS);
    for (const row of rows) expect(row.createdAt.getTime()).toBeLessThan(Date.parse(first.summary.to));
  });

  it('a different seed gives a different business', async () => {
    const other = await build('43');
    try {
      expect(await digest(other.store)).not.toBe(await digest(first.store));
    } finally {
      await other.store.close();
    }
  }, 60_000);

  it('has plans with limits, a legacy Starter, monthly and annual prices', async () => {
    const products = await first.store.db.selectFrom('products').selectAll().execute();
    const plans = products.filter((product) => Object.keys(product.limits).length > 0);
    expect(plans.length).toBeGreaterThanOrEqual(4);
    expect(plans.find((product) => product.legacy)?.name).toMatch(/starter/i);
    const intervals = await first.store.db.selectFrom('prices').select('interval').distinct().execute();
    expect(intervals.map((row) => row.interval)).toEqual(expect.arrayContaining(['month', 'year']));
  });

  it('has customers in every market, named companies among them', async () => {
    const countries = await first.store.db.selectFrom('customers').select('country').distinct().execute();
    expect(countries.map((row) => row.country)).toEqual(
      expect.arrayContaining(['US', 'GB', 'DE', 'FR', 'PL', 'IN', 'BR']),
    );
    const names = (await first.store.db.selectFrom('customers').select('name').execute()).map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['Acme Corp', 'Globex', 'Initech']));
  });

  it('has trials, churn, past-due subscriptions and coupons in use', async () => {
    const statuses = await first.store.db.selectFrom('subscriptions').select('status').distinct().execute();
    expect(statuses.map((row) => row.status)).toEqual(expect.arrayContaining(['active', 'canceled', 'trialing']));
    const discounted = await first.store.db
      .selectFrom('subscriptions')
      .select('id')
      .where('couponId', 'is not', null)
      .execute();
    expect(discounted.length).toBeGreaterThan(0);
    expect(first.summary.subscriptions).toBeDefined();
  });

  it('has payment failures with realistic reasons, and dunning that sometimes recovers', async () => {
    const failures = await first.store.db
      .selectFrom('charges')
      .select('failureCode')
      .where('status', '=', 'failed')
      .distinct()
      .execute();
    expect(failures.map((row) => row.failureCode)).toEqual(
      expect.arrayContaining(['expired_card', 'insufficient_funds', 'card_declined']),
    );
    const recovered = await first.store.db
      .selectFrom('invoices')
      .select('id')
      .where('status', '=', 'paid')
      .where('attemptCount', '>', 1)
      .execute();
    expect(recovered.length).toBeGreaterThan(0);
  });

  it('has overdue invoices, a duplicate subscription and a double charge to find', async () => {
    const ledger = new LedgerConnector(first.store.db, first.orgId);
    const overdue = await ledger.listInvoices({ overdue: true, limit: 100 });
    expect(overdue.length).toBe(first.summary.overdueInvoices);
    expect(overdue.length).toBeGreaterThan(0);
    for (const invoice of overdue) {
      expect(invoice.status).toBe('open');
      expect(invoice.dueDate?.getTime()).toBeLessThan(END.getTime());
    }
    const duplicates = await ledger.findDuplicateSubscriptions({});
    expect(duplicates.length).toBeGreaterThan(0);
    const globex = await ledger.findCustomers({ text: 'Globex', limit: 1 });
    expect(duplicates.map((group) => group.customerId)).toContain(globex[0]?.id);
    for (const group of duplicates) expect(group.subscriptions.length).toBeGreaterThanOrEqual(2);
    expect(first.summary.doubleCharges.length).toBeGreaterThan(0);
  });

  it('the ledger clock ends at the end of the history', async () => {
    expect((await new LedgerConnector(first.store.db, first.orgId).now()).getTime()).toBeLessThanOrEqual(END.getTime());
  });
});
