/**
 * The Stripe mirror against the offline fake: a demo business copied into the fake (same ids) is backfilled
 * through the real SDK, and every read and insight the ledger answers, the Stripe connector answers the same
 * from the mirror. Resuming, the Events API cursor and its 30-day limit are covered here too.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingConnector } from '../../src/connectors/connector.ts';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { MIRRORED_OBJECTS } from '../../src/connectors/stripe/stripe-objects.ts';
import { backfillStripe, syncStripeEvents } from '../../src/connectors/stripe/stripe-sync.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import { withOrgScope } from '../../src/store/org-scope.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { accessSource, fakeAccess } from '../support/stripe-access.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

const END = new Date(Date.UTC(2026, 10, 20, 12));

/** Rows compared as data (dates as ISO strings). */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

describe(`Stripe mirror (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  let ledger: BillingConnector;
  let stripe: StripeConnector;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, { orgId: fixture.orgId, customers: 25, months: 8, seed: 'mirror', endAt: END });
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    fake = await startStripeFake();
    await fake.seedFromLedger(ledger);
    stripe = new StripeConnector(fixture.store.db, fixture.orgId, accessSource(fakeAccess(fake)));
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await fixture?.close();
  });

  it('backfills every object type in 100-object pages, through requests Stripe’s spec accepts', async () => {
    const progress: string[] = [];
    const report = await backfillStripe(fixture.store.db, fixture.orgId, fakeAccess(fake), {
      onProgress: (step) => progress.push(`${step.type}:${step.objects}`),
    });
    expect(report.objects).toBeGreaterThan(200);
    expect(report.resumed).toBe(false);
    const lists = fake.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/v1/'));
    expect(lists.every((request) => Number(request.query.limit ?? 100) <= 100)).toBe(true);
    // Every mirrored type reports progress, even one with nothing to list.
    expect(new Set(progress.map((entry) => entry.split(':')[0]))).toEqual(new Set(MIRRORED_OBJECTS));
    expect(fake.invalidRequests).toEqual([]);
  });

  it('answers customers, plans, subscriptions, invoices, charges and refunds exactly as the ledger does', async () => {
    const customers = await ledger.findCustomers({ limit: 1000 });
    expect(customers.length).toBe(25);
    expect(plain(byId(await stripe.findCustomers({ limit: 1000 })))).toEqual(plain(byId(customers)));
    // Text searches too, inside the org scope (the mirror's own match function, migration 0036).
    const [first] = customers;
    const word = first?.name.split(' ')[0]?.toLowerCase() ?? '';
    const domain = first?.email.split('@')[1] ?? '';
    for (const text of [word, `${word}x`, first?.email ?? '', domain]) {
      const [fromMirror, fromLedger] = await withOrgScope(fixture.orgId, () =>
        Promise.all([stripe.findCustomers({ text, limit: 1000 }), ledger.findCustomers({ text, limit: 1000 })]),
      );
      expect(fromMirror.length).toBeGreaterThan(0);
      expect(plain(fromMirror)).toEqual(plain(fromLedger));
    }
    const { rows } = await sql<{ schema: string }>`
      select n.nspname as schema from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.proname = 'leash_customer_matches' and n.nspname in (current_schema(), current_schema() || '_stripe')`.execute(
      fixture.store.db,
    );
    expect(rows.length).toBe(2);
    expect(plain(byId(await stripe.listProducts()))).toEqual(plain(byId(await ledger.listProducts())));
    expect(plain(byId(await stripe.listPrices()))).toEqual(plain(byId(await ledger.listPrices())));
    expect(plain(byId(await stripe.listCoupons()))).toEqual(plain(byId(await ledger.listCoupons())));
    for (const customer of customers) {
      const query = { customerId: customer.id, limit: 1000 };
      expect(plain(await stripe.getCustomer(customer.id))).toEqual(plain(customer));
      expect(plain(byId(await stripe.listSubscriptions(query)))).toEqual(
        plain(byId(await ledger.listSubscriptions(query))),
      );
      expect(plain(byId(await stripe.listInvoices(query)))).toEqual(plain(byId(await ledger.listInvoices(query))));
      expect(plain(byId(await stripe.listCharges(query)))).toEqual(plain(byId(await ledger.listCharges(query))));
      expect(plain(byId(await stripe.listRefunds({ customerId: customer.id })))).toEqual(
        plain(byId(await ledger.listRefunds({ customerId: customer.id }))),
      );
      expect(plain(await stripe.listBalanceTransactions(customer.id))).toEqual(
        plain(await ledger.listBalanceTransactions(customer.id)),
      );
    }
  });

  it('answers the insights from the mirror exactly as from the ledger', async () => {
    const from = new Date(Date.UTC(2026, 3, 1));
    const until = new Date(Date.UTC(2026, 10, 1));
    for (const { currency } of await ledger.customerCurrencies()) {
      expect(await stripe.mrrAt({ currency, at: until })).toBe(await ledger.mrrAt({ currency, at: until }));
      expect(await stripe.mrrMovements({ currency, from, until })).toEqual(
        await ledger.mrrMovements({ currency, from, until }),
      );
    }
    expect(await stripe.customerCurrencies()).toEqual(await ledger.customerCurrencies());
    expect(await stripe.paymentAttempts({ from, until })).toEqual(await ledger.paymentAttempts({ from, until }));
    expect(plain(await stripe.involuntaryChurn({ from, until }))).toEqual(
      plain(await ledger.involuntaryChurn({ from, until })),
    );
    expect(await stripe.dunningOutcomes({ from, until })).toEqual(await ledger.dunningOutcomes({ from, until }));
    expect(plain(await stripe.overdueByCustomer({ at: END, limit: 50 }))).toEqual(
      plain(await ledger.overdueByCustomer({ at: END, limit: 50 })),
    );
    expect(plain(await stripe.findDuplicateSubscriptions({}))).toEqual(
      plain(await ledger.findDuplicateSubscriptions({})),
    );
  });

  it('applies what changed in Stripe since, from the Events API, oldest first', async () => {
    const access = fakeAccess(fake);
    const [customer] = await stripe.findCustomers({ limit: 1 });
    if (!customer) throw new Error('no customer');
    await access.stripe.customers.update(customer.id, { name: 'Renamed In Stripe' });
    await access.stripe.customers.update(customer.id, { email: 'renamed@stripe.test' });
    const report = await syncStripeEvents(fixture.store.db, fixture.orgId, access);
    expect(report.resync).toBe(false);
    expect(report.events).toBeGreaterThanOrEqual(2);
    const after = await stripe.getCustomer(customer.id);
    expect(after?.name).toBe('Renamed In Stripe');
    expect(after?.email).toBe('renamed@stripe.test');
    // Nothing new: nothing applied.
    expect((await syncStripeEvents(fixture.store.db, fixture.orgId, access)).events).toBe(0);
  });

  it('asks for a full resync when the cursor is older than Stripe keeps events', async () => {
    await fixture.store.db
      .updateTable('stripeSync')
      .set({ eventsCursorCreated: Math.floor(Date.now() / 1000) - 31 * 24 * 3600 })
      .where('orgId', '=', fixture.orgId)
      .execute();
    expect((await syncStripeEvents(fixture.store.db, fixture.orgId, fakeAccess(fake))).resync).toBe(true);
  });

  it('resumes an interrupted backfill from the last page it stored', async () => {
    const access = fakeAccess(fake, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    // The third invoice page fails for good: the backfill stops there.
    let invoicePages = 0;
    const list = access.stripe.invoices.list.bind(access.stripe.invoices);
    access.stripe.invoices.list = ((...args: Parameters<typeof list>) => {
      invoicePages++;
      if (invoicePages === 2) throw new Error('network down');
      return list(...args);
    }) as typeof list;
    await expect(backfillStripe(fixture.store.db, fixture.orgId, access, { restart: true })).rejects.toThrow(
      'network down',
    );
    const stopped = await fixture.store.db
      .selectFrom('stripeSync')
      .selectAll()
      .where('orgId', '=', fixture.orgId)
      .executeTakeFirstOrThrow();
    expect(stopped.backfillFinishedAt).toBeNull();
    expect(stopped.backfill.customer?.done).toBe(true);
    expect(stopped.backfill.invoice?.done).toBe(false);
    const before = fake.requests.length;
    const resumed = await backfillStripe(fixture.store.db, fixture.orgId, fakeAccess(fake));
    expect(resumed.resumed).toBe(true);
    // No customer, product, price, coupon or subscription page was asked for again.
    const again = fake.requests.slice(before).map((request) => request.path);
    expect(again.some((path) => path === '/v1/customers' || path === '/v1/subscriptions')).toBe(false);
    expect(again).toContain('/v1/invoices');
  });
});
