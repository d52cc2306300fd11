/**
 * The reads a plain-language planner leans on, through the pipeline on a real store: invoices by window, amount
 * and currency with a total count; subscriptions with names; the plans on sale; the activity log; the billing
 * date; and upcoming invoices that match what the renewal then issues. Counts are checked against direct SQL,
 * and another org's ids read as missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, OWNER, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { gateWith } from '../../test/support/policy.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { createOrg } from '../auth/members.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer, Invoice, Price, Product, Subscription } from '../domain/billing.ts';
import { isLeashError } from '../domain/errors.ts';
import { runRead } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `agent_reads_${++keys}` });
const card = (last4: string, country = 'US') => ({
  brand: 'visa' as const,
  last4,
  expMonth: 12,
  expYear: 2035,
  country,
});

interface InvoicePage {
  invoices: Invoice[];
  count: number;
}
interface SubscriptionPage {
  subscriptions: (Subscription & {
    customerName: string | null;
    plan: string | null;
    items: { priceId: string; nickname: string | null; productName: string | null }[];
  })[];
  count: number;
}
interface Upcoming {
  invoices: {
    customerId: string;
    customerName: string;
    subscriptionId: string;
    date: string;
    currency: string;
    amount: number;
    lines: { description: string; amount: number }[];
  }[];
  totals: { currency: string; amount: number }[];
  count: number;
}
interface Plans {
  plans: {
    product: { id: string; name: string; description: string; limits: object; active: boolean };
    prices: { id: string; active: boolean }[];
  }[];
}
interface Activity {
  events: {
    at: string;
    event: string;
    actor: string | null;
    operation: string | null;
    outcome: string | null;
    summary: string;
  }[];
}

describe(`planner reads (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let team: Product;
  let teamMonthly: Price;
  let teamYearly: Price;
  let retired: Price;
  let addOnPrice: Price;
  let acme: Customer;
  let broke: Customer;
  let euro: Customer;
  let acmeTeam: Subscription;
  let acmeAddOn: Subscription;
  let brokeTeam: Subscription;
  let euroTeam: Subscription;
  let trial: Subscription;
  let leaving: Subscription;
  let onboarding: Invoice;
  let smallFee: Invoice;
  let januaryInvoice: Invoice;
  let foreign: { customerId: string; invoiceId: string; productId: string };

  const read = async <T>(name: string, input: Record<string, unknown>, as = READER) =>
    (await runRead(await fixture.context(as), name, input)) as T;
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined).catch((error: unknown) => error);
  const manualInvoice = async (customer: Customer, description: string, amount: number) => {
    const draft = await ledger.createInvoice({ customerId: customer.id, lines: [{ description, amount }] }, key());
    return ledger.finalizeInvoice({ invoiceId: draft.id }, key());
  };
  const countInvoices = async (where: { from?: string; until?: string; minTotal?: number; currency?: string }) => {
    let query = fixture.store.db
      .selectFrom('invoices')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('orgId', '=', fixture.orgId);
    if (where.from) query = query.where('createdAt', '>=', new Date(where.from));
    if (where.until) query = query.where('createdAt', '<', new Date(where.until));
    if (where.minTotal !== undefined) query = query.where('total', '>=', where.minTotal);
    if (where.currency) query = query.where('currency', '=', where.currency);
    return Number((await query.executeTakeFirstOrThrow()).count);
  };

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-01-10T00:00:00Z'));
    team = await ledger.createProduct(
      { name: 'Team', description: 'For small teams', limits: { seats: 5, api_calls: 10_000 } },
      key(),
    );
    teamMonthly = await ledger.createPrice(
      {
        productId: team.id,
        nickname: 'Team monthly',
        currency: 'usd',
        interval: 'month',
        scheme: 'flat',
        unitAmount: 4_900,
      },
      key(),
    );
    teamYearly = await ledger.createPrice(
      {
        productId: team.id,
        nickname: 'Team yearly',
        currency: 'usd',
        interval: 'year',
        scheme: 'flat',
        unitAmount: 49_000,
        trialDays: 14,
      },
      key(),
    );
    retired = await ledger.createPrice(
      {
        productId: team.id,
        nickname: 'Team 2024',
        currency: 'usd',
        interval: 'month',
        scheme: 'flat',
        unitAmount: 3_900,
      },
      key(),
    );
    const legacy = await ledger.createProduct({ name: 'Starter (retired)' }, key());
    await ledger.createPrice(
      { productId: legacy.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 900 },
      key(),
    );
    await fixture.store.db.updateTable('prices').set({ active: false }).where('id', '=', retired.id).execute();
    await fixture.store.db.updateTable('products').set({ active: false }).where('id', '=', legacy.id).execute();
    const addOn = await ledger.createProduct({ name: 'Priority support' }, key());
    addOnPrice = await ledger.createPrice(
      {
        productId: addOn.id,
        nickname: 'Support monthly',
        currency: 'usd',
        interval: 'month',
        scheme: 'flat',
        unitAmount: 1_500,
      },
      key(),
    );
    const euroPlan = await ledger.createProduct({ name: 'Team EU' }, key());
    const euroMonthly = await ledger.createPrice(
      { productId: euroPlan.id, currency: 'eur', interval: 'month', scheme: 'per_unit', unitAmount: 2_000 },
      key(),
    );
    const euroCalls = await ledger.createPrice(
      {
        productId: euroPlan.id,
        currency: 'eur',
        interval: 'month',
        scheme: 'tiered',
        usageMetric: 'api_calls',
        tiers: [{ upTo: null, unitAmount: 1, flatAmount: 0 }],
      },
      key(),
    );
    await ledger.createCoupon({ code: 'WELCOME20', name: 'Welcome', percentOffBps: 2_000, duration: 'forever' }, key());

    acme = await ledger.createCustomer(
      { name: 'Acme Corp', email: 'billing@acme.test', country: 'US', currency: 'usd', paymentMethod: card('4242') },
      key(),
    );
    broke = await ledger.createCustomer(
      { name: 'Broke Ltd', email: 'ap@broke.test', country: 'US', currency: 'usd', paymentMethod: card('9995') },
      key(),
    );
    euro = await ledger.createCustomer(
      {
        name: 'Euro GmbH',
        email: 'rechnung@euro.test',
        country: 'DE',
        currency: 'eur',
        paymentMethod: card('4242', 'DE'),
      },
      key(),
    );
    const leaver = await ledger.createCustomer(
      { name: 'Leaving Ltd', email: 'bye@leaving.test', country: 'US', currency: 'usd', paymentMethod: card('4242') },
      key(),
    );
    const trialist = await ledger.createCustomer(
      { name: 'Trial Co', email: 'hi@trial.test', country: 'US', currency: 'usd', paymentMethod: card('4242') },
      key(),
    );

    // 10 Jan: four subscriptions start and bill at once (Broke's card fails, and keeps failing until it ends).
    acmeTeam = await ledger.createSubscription({ customerId: acme.id, items: [{ priceId: teamMonthly.id }] }, key());
    brokeTeam = await ledger.createSubscription({ customerId: broke.id, items: [{ priceId: teamMonthly.id }] }, key());
    euroTeam = await ledger.createSubscription(
      {
        customerId: euro.id,
        items: [{ priceId: euroMonthly.id, quantity: 3 }, { priceId: euroCalls.id }],
        couponId: 'WELCOME20',
      },
      key(),
    );
    leaving = await ledger.createSubscription({ customerId: leaver.id, items: [{ priceId: teamMonthly.id }] }, key());
    [januaryInvoice] = (await ledger.listInvoices({ customerId: acme.id })) as [Invoice];

    // 20 Feb: after the 10 Feb renewals, Acme adds support and is invoiced $120 for onboarding.
    await ledger.advanceClock(new Date('2026-02-20T00:00:00Z'));
    acmeAddOn = await ledger.createSubscription({ customerId: acme.id, items: [{ priceId: addOnPrice.id }] }, key());
    onboarding = await manualInvoice(acme, 'Onboarding', 12_000);
    await ledger.cancelSubscription({ subscriptionId: leaving.id, atPeriodEnd: true }, key());

    // 1 Mar: a yearly plan with a 14-day trial; 5 Mar: a $2.50 fee.
    await ledger.advanceClock(new Date('2026-03-01T00:00:00Z'));
    trial = await ledger.createSubscription({ customerId: trialist.id, items: [{ priceId: teamYearly.id }] }, key());
    await ledger.advanceClock(new Date('2026-03-05T00:00:00Z'));
    smallFee = await manualInvoice(acme, 'Small fee', 250);

    // Another org with a customer, an invoice and a plan of its own.
    const other = await createOrg(fixture.store.db, { name: 'Other Co', ownerEmail: 'boss@agent-reads-other.test' });
    const otherLedger = new LedgerConnector(fixture.store.db, other.org.id);
    await otherLedger.setClock(new Date('2026-03-05T00:00:00Z'));
    const hidden = await otherLedger.createCustomer(
      { name: 'Acme Corp', email: 'billing@acme.test', country: 'US', currency: 'usd' },
      key(),
    );
    const otherPlan = await otherLedger.createProduct({ name: 'Hidden plan' }, key());
    const hiddenInvoice = await otherLedger.createInvoice(
      { customerId: hidden.id, lines: [{ description: 'Hidden', amount: 99_900 }] },
      key(),
    );
    foreign = { customerId: hidden.id, invoiceId: hiddenInvoice.id, productId: otherPlan.id };
  });
  afterAll(async () => fixture.close());

  describe('list_invoices', () => {
    it('counts every match, not only the page', async () => {
      const all = await countInvoices({});
      expect(all).toBeGreaterThan(5);
      const page = await read<InvoicePage>('list_invoices', { limit: 2 });
      expect(page.invoices).toHaveLength(2);
      expect(page.count).toBe(all);
      expect(page.invoices[0]?.id).toBe(smallFee.id);
      const rest = await read<InvoicePage>('list_invoices', { limit: 1000, offset: 2 });
      expect(rest.invoices).toHaveLength(all - 2);
      expect(rest.count).toBe(all);
    });

    it('a window on the creation date: a month, and a day that is inclusive', async () => {
      const february = await read<InvoicePage>('list_invoices', { from: '2026-02', to: '2026-02', limit: 1000 });
      expect(february.count).toBe(await countInvoices({ from: '2026-02-01', until: '2026-03-01' }));
      expect(february.invoices).toHaveLength(february.count);
      const ids = february.invoices.map((invoice) => invoice.id);
      expect(ids).toContain(onboarding.id);
      expect(ids).not.toContain(januaryInvoice.id);
      expect(ids).not.toContain(smallFee.id);
      for (const invoice of february.invoices) {
        expect(new Date(invoice.createdAt).getTime()).toBeGreaterThanOrEqual(Date.parse('2026-02-01T00:00:00Z'));
        expect(new Date(invoice.createdAt).getTime()).toBeLessThan(Date.parse('2026-03-01T00:00:00Z'));
      }
      const day = await read<InvoicePage>('list_invoices', { from: '2026-02-20', to: '2026-02-20' });
      expect(day.invoices.map((invoice) => invoice.id)).toContain(onboarding.id);
      expect(day.count).toBe(await countInvoices({ from: '2026-02-20', until: '2026-02-21' }));
      const since = await read<InvoicePage>('list_invoices', { from: '2026-03-02' });
      expect(since.invoices.map((invoice) => invoice.id)).toEqual([smallFee.id]);
      expect(since.count).toBe(1);
    });

    it('min_amount keeps invoices whose total is at least it; currency keeps one currency', async () => {
      const large = await read<InvoicePage>('list_invoices', { min_amount: 10_000, limit: 1000 });
      expect(large.count).toBe(await countInvoices({ minTotal: 10_000 }));
      expect(large.invoices.map((invoice) => invoice.id)).toContain(onboarding.id);
      expect(large.invoices.every((invoice) => invoice.total >= 10_000)).toBe(true);
      const exact = await read<InvoicePage>('list_invoices', { min_amount: 12_000, customer: 'Acme Corp' });
      expect(exact.invoices.map((invoice) => invoice.id)).toEqual([onboarding.id]);
      const euros = await read<InvoicePage>('list_invoices', { currency: 'eur', limit: 1000 });
      expect(euros.count).toBe(await countInvoices({ currency: 'eur' }));
      expect(euros.count).toBeGreaterThan(0);
      expect(euros.invoices.every((invoice) => invoice.currency === 'eur' && invoice.customerId === euro.id)).toBe(
        true,
      );
      const none = await read<InvoicePage>('list_invoices', { currency: 'jpy' });
      expect(none).toMatchObject({ invoices: [], count: 0 });
    });

    it('refuses a bad window with the field named, and an unknown field', async () => {
      for (const [input, field] of [
        [{ from: 'last week' }, 'from'],
        [{ to: '2026-02-30' }, 'to'],
        [{ from: '2026-03', to: '2026-02' }, 'from'],
        [{ min_amount: 10.5 }, 'min_amount'],
        [{ currency: 'usd ' }, 'currency'],
      ] as const) {
        const refused = await refusal(read('list_invoices', input));
        expect(isLeashError(refused, 'bad_input'), JSON.stringify(input)).toBe(true);
        expect((refused as { details: { field?: string } }).details.field).toBe(field);
      }
      expect(isLeashError(await refusal(read('list_invoices', { amount_min: 1 })), 'bad_input')).toBe(true);
    });
  });

  describe('list_subscriptions', () => {
    it('every subscription, with its customer name and plan, and the count', async () => {
      const all = await read<SubscriptionPage>('list_subscriptions', {});
      const total = Number(
        (
          await fixture.store.db
            .selectFrom('subscriptions')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .where('orgId', '=', fixture.orgId)
            .executeTakeFirstOrThrow()
        ).count,
      );
      expect(all.count).toBe(total);
      expect(all.count).toBe(6);
      const acmes = await read<SubscriptionPage>('list_subscriptions', { customer: 'Acme Corp' });
      expect(acmes.count).toBe(2);
      expect(
        acmes.subscriptions.map((subscription) => [subscription.id, subscription.customerName, subscription.plan]),
      ).toEqual([
        [acmeAddOn.id, 'Acme Corp', 'Priority support'],
        [acmeTeam.id, 'Acme Corp', 'Team'],
      ]);
      expect(acmes.subscriptions[1]?.items).toEqual([
        expect.objectContaining({ priceId: teamMonthly.id, nickname: 'Team monthly', productName: 'Team' }),
      ]);
    });

    it('filters by status, creation window, price and product', async () => {
      const canceled = await read<SubscriptionPage>('list_subscriptions', { status: 'canceled' });
      expect(canceled.subscriptions.map((subscription) => subscription.id)).toEqual([brokeTeam.id]);
      expect(canceled.count).toBe(1);
      const trialing = await read<SubscriptionPage>('list_subscriptions', { status: 'trialing' });
      expect(trialing.subscriptions.map((subscription) => subscription.id)).toEqual([trial.id]);
      const recent = await read<SubscriptionPage>('list_subscriptions', { from: '2026-02' });
      expect(recent.subscriptions.map((subscription) => subscription.id)).toEqual([trial.id, acmeAddOn.id]);
      const february = await read<SubscriptionPage>('list_subscriptions', { from: '2026-02-01', to: '2026-02-28' });
      expect(february.subscriptions.map((subscription) => subscription.id)).toEqual([acmeAddOn.id]);
      const monthly = await read<SubscriptionPage>('list_subscriptions', { price_id: teamMonthly.id, limit: 1 });
      expect(monthly.subscriptions).toHaveLength(1);
      expect(monthly.count).toBe(3);
      const teams = await read<SubscriptionPage>('list_subscriptions', { product_id: team.id });
      expect(teams.count).toBe(4);
      const unknown = await read<SubscriptionPage>('list_subscriptions', { price_id: 'price_nope' });
      expect(unknown).toMatchObject({ subscriptions: [], count: 0 });
      const refused = await refusal(read('list_subscriptions', { status: 'incomplete' }));
      expect((refused as { details: { field?: string } }).details.field).toBe('status');
    });
  });

  it('list_plans: the plans on sale with their prices; include_inactive adds the retired ones', async () => {
    // Everything was created at the same ledger instant, so the order among them is by id: compare by name.
    const byName = (plans: Plans['plans']) => [...plans].sort((a, b) => a.product.name.localeCompare(b.product.name));
    const onSale = byName((await read<Plans>('list_plans', {})).plans);
    expect(onSale.map((plan) => plan.product.name)).toEqual(['Priority support', 'Team', 'Team EU']);
    const teamPlan = onSale[1];
    expect(teamPlan?.product).toEqual({
      id: team.id,
      name: 'Team',
      description: 'For small teams',
      limits: { seats: 5, api_calls: 10_000 },
      active: true,
    });
    expect(teamPlan?.prices).toHaveLength(2);
    expect(teamPlan?.prices).toEqual(
      expect.arrayContaining([
        {
          id: teamMonthly.id,
          nickname: 'Team monthly',
          currency: 'usd',
          interval: 'month',
          scheme: 'flat',
          unitAmount: 4_900,
          usageMetric: null,
          tiers: [],
          active: true,
          trialDays: 0,
        },
        expect.objectContaining({ id: teamYearly.id, interval: 'year', unitAmount: 49_000, trialDays: 14 }),
      ]),
    );
    expect(onSale[2]?.prices).toEqual(
      expect.arrayContaining([expect.objectContaining({ scheme: 'tiered', usageMetric: 'api_calls', unitAmount: 0 })]),
    );
    const everything = byName((await read<Plans>('list_plans', { include_inactive: true })).plans);
    expect(everything.map((plan) => [plan.product.name, plan.product.active])).toEqual([
      ['Priority support', true],
      ['Starter (retired)', false],
      ['Team', true],
      ['Team EU', true],
    ]);
    expect(everything[2]?.prices.map((price) => [price.id, price.active]).sort()).toEqual(
      [
        [teamMonthly.id, true],
        [teamYearly.id, true],
        [retired.id, false],
      ].sort(),
    );
    expect(JSON.stringify(everything)).not.toContain(foreign.productId);
    const refused = await refusal(read('list_plans', { include_inactive: 'yes' }));
    expect((refused as { details: { field?: string } }).details.field).toBe('include_inactive');
  });

  it("get_billing_date: the ledger's clock, not the wall clock", async () => {
    expect(await read('get_billing_date', {})).toEqual({ now: '2026-03-05T00:00:00.000Z', today: '2026-03-05' });
    const refused = await refusal(read('get_billing_date', { today: true }));
    expect(isLeashError(refused, 'bad_input')).toBe(true);
  });

  describe('list_activity', () => {
    it("newest first, the org's own log only, and the read itself is audited", async () => {
      await read('list_invoices', { customer: 'Acme Corp' });
      await read('explain_plan', { customer: acme.id }, OWNER);
      const { events } = await read<Activity>('list_activity', { limit: 5 });
      const rows = await fixture.store.db
        .selectFrom('auditEvents')
        .select(['at', 'event', 'actorEmail', 'operation', 'orgId'])
        .where('orgId', '=', fixture.orgId)
        .orderBy('seq', 'desc')
        .limit(6)
        .execute();
      // The newest row is this very list_activity read, written after it answered.
      expect(rows[0]).toMatchObject({ event: 'data.read', operation: 'list_activity', actorEmail: READER });
      expect(events.map((event) => [event.at, event.event, event.actor, event.operation])).toEqual(
        rows.slice(1).map((row) => [row.at.toISOString(), row.event, row.actorEmail, row.operation]),
      );
      expect(events[0]).toEqual({
        at: rows[1]?.at.toISOString(),
        event: 'data.read',
        actor: OWNER,
        operation: 'explain_plan',
        outcome: null,
        summary: `${OWNER} read explain_plan (${acme.id})`,
      });
      expect(events[1]).toMatchObject({ actor: READER, operation: 'list_invoices' });
      const everything = await read<Activity>('list_activity', { limit: 200 });
      expect(JSON.stringify(everything)).not.toContain('agent-reads-other.test');
    });

    it('filters by member and by event; a blocked read shows as a block', async () => {
      const forbidding = await gateWith(
        '@id("test.no_invoices")\nforbid (principal, action, resource) when { context.operation == "list_invoices" };\n',
      );
      const blocked = await refusal(runRead(await fixture.context(READER, { gate: forbidding }), 'list_invoices', {}));
      expect(isLeashError(blocked, 'blocked')).toBe(true);
      const mine = await read<Activity>('list_activity', { member: READER.toUpperCase(), limit: 200 });
      expect(mine.events.length).toBeGreaterThan(3);
      expect(mine.events.every((event) => event.actor === READER)).toBe(true);
      expect(mine.events[0]).toMatchObject({
        event: 'decision.made',
        operation: 'list_invoices',
        outcome: 'block',
        summary: `${READER} got a policy decision on list_invoices: block`,
      });
      const decisions = await read<Activity>('list_activity', { event: 'decision.made' });
      expect(decisions.events.length).toBeGreaterThan(0);
      expect(decisions.events.every((event) => event.event === 'decision.made')).toBe(true);
      const nobody = await read<Activity>('list_activity', { member: 'boss@agent-reads-other.test' });
      expect(nobody.events).toEqual([]);
      const refused = await refusal(read('list_activity', { event: 'refund' }));
      expect((refused as { details: { field?: string } }).details.field).toBe('event');
      const tooMany = await refusal(read('list_activity', { limit: 201 }));
      expect((tooMany as { details: { field?: string } }).details.field).toBe('limit');
    });
  });

  describe('upcoming_invoices', () => {
    it('live subscriptions that renew, soonest first, priced like the renewal, with totals and a count', async () => {
      const upcoming = await read<Upcoming>('upcoming_invoices', {});
      // Broke's subscription ended in dunning; Leaving Ltd cancels at period end: neither renews.
      // Acme's and Euro GmbH's renew at the same instant; between them the order is by id.
      const dates = upcoming.invoices.map((invoice) => invoice.date);
      expect(dates).toEqual([...dates].sort());
      expect(Object.fromEntries(upcoming.invoices.map((invoice) => [invoice.subscriptionId, invoice.date]))).toEqual({
        [acmeTeam.id]: '2026-03-10T00:00:00.000Z',
        [euroTeam.id]: '2026-03-10T00:00:00.000Z',
        [trial.id]: '2026-03-15T00:00:00.000Z',
        [acmeAddOn.id]: '2026-03-20T00:00:00.000Z',
      });
      expect(upcoming.count).toBe(4);
      const euroInvoice = upcoming.invoices.find((invoice) => invoice.subscriptionId === euroTeam.id);
      // 3 × €20.00 = €60.00; 20% off = −€12.00; 19% VAT on €48.00 = €9.12.
      expect(euroInvoice).toEqual({
        customerId: euro.id,
        customerName: 'Euro GmbH',
        subscriptionId: euroTeam.id,
        date: '2026-03-10T00:00:00.000Z',
        currency: 'eur',
        amount: 5_712,
        lines: [
          { description: '3 × Team EU (monthly)', amount: 6_000 },
          { description: 'Team EU: api_calls usage, billed on actual use', amount: 0 },
          { description: 'Discount (WELCOME20)', amount: -1_200 },
          { description: 'Tax', amount: 912 },
        ],
      });
      expect(upcoming.invoices.find((invoice) => invoice.subscriptionId === trial.id)).toMatchObject({
        customerName: 'Trial Co',
        amount: 49_000,
        lines: [{ description: 'Team (annual)', amount: 49_000 }],
      });
      expect(upcoming.totals).toEqual([
        { currency: 'eur', amount: 5_712 },
        { currency: 'usd', amount: 4_900 + 49_000 + 1_500 },
      ]);
      const page = await read<Upcoming>('upcoming_invoices', { limit: 1, offset: 1 });
      expect(page.invoices).toHaveLength(1);
      expect(page.count).toBe(4);
      const acmes = await read<Upcoming>('upcoming_invoices', { customer: 'billing@acme.test' });
      expect(acmes.invoices.map((invoice) => invoice.subscriptionId)).toEqual([acmeTeam.id, acmeAddOn.id]);
      expect(acmes.totals).toEqual([{ currency: 'usd', amount: 6_400 }]);
    });

    it("another org's customer id behaves as a missing one in every customer filter", async () => {
      for (const name of ['upcoming_invoices', 'list_subscriptions', 'list_invoices']) {
        const foreignRefusal = await refusal(read(name, { customer: foreign.customerId }));
        const missing = await refusal(read(name, { customer: 'cus_doesnotexist000' }));
        expect(isLeashError(foreignRefusal, 'not_found'), name).toBe(true);
        expect((foreignRefusal as Error).message.replace(foreign.customerId, 'ID')).toBe(
          (missing as Error).message.replace('cus_doesnotexist000', 'ID'),
        );
      }
      // The other org's customer shares Acme's name and email: the look-up still finds only this org's Acme.
      const byEmail = await read<InvoicePage>('list_invoices', { customer: 'billing@acme.test', limit: 1000 });
      expect(byEmail.invoices.every((invoice) => invoice.customerId === acme.id)).toBe(true);
      const everything = await read<InvoicePage>('list_invoices', { limit: 1000 });
      expect(JSON.stringify(everything)).not.toContain(foreign.invoiceId);
    });

    it('the preview is what the renewal then bills', async () => {
      const upcoming = await read<Upcoming>('upcoming_invoices', {});
      await ledger.advanceClock(new Date('2026-03-21T00:00:00Z'));
      for (const preview of upcoming.invoices) {
        const issued = await ledger.listInvoices({
          subscriptionId: preview.subscriptionId,
          createdFrom: new Date(preview.date),
        });
        expect(issued, preview.subscriptionId).toHaveLength(1);
        expect(issued[0]?.total, preview.subscriptionId).toBe(preview.amount);
        expect(new Date(issued[0]?.createdAt ?? 0).toISOString()).toBe(preview.date);
      }
      const after = await read<Upcoming>('upcoming_invoices', {});
      expect(after.invoices.map((invoice) => invoice.subscriptionId)).not.toContain(leaving.id);
      expect(after.count).toBe(4);
    });
  });
});
