/**
 * The MRR facts (migration 0028): kept by every write, they answer exactly what reading every invoice line
 * answers, and rebuilding them from scratch gives the rows kept incrementally — after a generated business and
 * after random writes through the ledger (refunds, plan changes, cancellations, voids, coupons).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import * as analytics from '../connectors/ledger/revenue-analytics.ts';
import { generateDemo } from '../demo/generate-demo.ts';
import { CURRENCIES } from '../domain/money.ts';
import { monthStart } from '../operations/period.ts';
import { rebuildMrrFacts } from './mrr-facts.ts';

const END = new Date('2026-06-01T00:00:00Z');
const FROM = new Date('2025-04-01T00:00:00Z');

/** Every fact row of the org, in a stable order. */
async function facts(fixture: LeashFixture): Promise<{ lines: unknown[]; changes: unknown[] }> {
  const lines = await sql`select line_id, customer_id, currency, subscription_id, starts, ends, period_end, mrr::text
                            from mrr_lines where org_id = ${fixture.orgId} order by line_id`.execute(fixture.store.db);
  const changes = await sql`select customer_id, currency, at, before::text, after::text, had_before
                              from mrr_changes where org_id = ${fixture.orgId}
                             order by customer_id, currency, at`.execute(fixture.store.db);
  return { lines: lines.rows, changes: changes.rows };
}

/** Rebuilds from nothing: the org's facts deleted first. */
async function fromScratch(fixture: LeashFixture) {
  await sql`delete from mrr_lines where org_id = ${fixture.orgId}`.execute(fixture.store.db);
  await sql`delete from mrr_changes where org_id = ${fixture.orgId}`.execute(fixture.store.db);
  return rebuildMrrFacts(fixture.store.db, { orgId: fixture.orgId });
}

/** The facts' answers equal the answers read from every line, for every currency and month. */
async function expectSameAsLines(fixture: LeashFixture, from: Date, until: Date): Promise<number> {
  const { db } = fixture.store;
  const org = fixture.orgId;
  let compared = 0;
  const day = 86_400_000;
  // The whole window, one with partial months at both edges (mrr_months answers the whole ones, the changes the
  // edges), and one inside a single month.
  const windows: [Date, Date][] = [
    [from, until],
    [new Date(from.getTime() + 9.5 * day), new Date(until.getTime() - 5.25 * day)],
    [new Date(from.getTime() + 3 * day), new Date(from.getTime() + 20 * day)],
  ];
  for (const currency of CURRENCIES) {
    for (const [start, end] of windows)
      expect({ currency, start, movements: await analytics.mrrMovements(db, org, currency, start, end) }).toEqual({
        currency,
        start,
        movements: await analytics.mrrMovementsFromLines(db, org, currency, start, end),
      });
    expect(await analytics.expansionByCustomer(db, org, currency, from, until, 100)).toEqual(
      await analytics.expansionFromLines(db, org, currency, from, until, 100),
    );
    for (let month = monthStart(from); month <= until; month = monthStart(month, 1)) {
      expect({ currency, month, mrr: await analytics.mrrAt(db, org, currency, month) }).toEqual({
        currency,
        month,
        mrr: await analytics.mrrAtFromLines(db, org, currency, month),
      });
      const midMonth = new Date(month.getTime() + 10.5 * day);
      expect({ currency, midMonth, mrr: await analytics.mrrAt(db, org, currency, midMonth) }).toEqual({
        currency,
        midMonth,
        mrr: await analytics.mrrAtFromLines(db, org, currency, midMonth),
      });
      compared += 1;
    }
  }
  expect(await analytics.involuntaryChurn(db, org, new Date(0), until)).toEqual(
    await analytics.involuntaryChurnFromLines(db, org, new Date(0), until),
  );
  return compared;
}

describe(`MRR facts (${testStoreKind})`, () => {
  let fixture: LeashFixture;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, { orgId: fixture.orgId, customers: 120, months: 14, seed: 'facts', endAt: END });
  });
  afterAll(async () => fixture.close());

  it('after a generated business: the facts answer what every line answers, and a rebuild from scratch gives them back', async () => {
    const kept = await facts(fixture);
    expect(kept.lines.length).toBeGreaterThan(100);
    expect(kept.changes.length).toBeGreaterThan(50);
    expect(await expectSameAsLines(fixture, FROM, END)).toBeGreaterThan(0);
    const rebuilt = await fromScratch(fixture);
    expect(rebuilt.changed).toBe(kept.lines.length + kept.changes.length);
    expect(await facts(fixture)).toEqual(kept);
    // A rebuild over right facts changes nothing.
    expect((await rebuildMrrFacts(fixture.store.db, { orgId: fixture.orgId })).changed).toBe(0);
  }, 180_000);

  it('after random writes (refunds, plan changes, cancellations, voids, coupons): kept incrementally = rebuilt', async () => {
    const ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    const { db } = fixture.store;
    let keys = 0;
    const key = () => ({ idempotencyKey: `facts_${++keys}` });
    const live = await db
      .selectFrom('subscriptions')
      .select(['id', 'customerId', 'currency'])
      .where('orgId', '=', fixture.orgId)
      .where('status', 'in', ['active', 'past_due'])
      .orderBy('id')
      .execute();
    expect(live.length).toBeGreaterThan(8);
    const monthly = await db
      .selectFrom('prices')
      .select(['id', 'currency'])
      .where('orgId', '=', fixture.orgId)
      .where('interval', '=', 'month')
      .where('usageMetric', 'is', null)
      .orderBy('unitAmount', 'desc')
      .execute();
    const coupon = await ledger.createCoupon(
      { code: 'FACTS25', name: 'Facts', percentOffBps: 2_500, duration: 'forever' },
      key(),
    );
    let writes = 0;
    for (const [index, subscription] of live.slice(0, 12).entries()) {
      const price = monthly.find((candidate) => candidate.currency === subscription.currency);
      const step = index % 4;
      if (step === 0 && price) await ledger.changePlan({ subscriptionId: subscription.id, priceId: price.id }, key());
      else if (step === 1)
        await ledger.cancelSubscription({ subscriptionId: subscription.id, atPeriodEnd: false }, key());
      else if (step === 2) await ledger.applyCoupon({ subscriptionId: subscription.id, couponId: coupon.id }, key());
      else {
        const charge = await db
          .selectFrom('charges')
          .select('id')
          .where('orgId', '=', fixture.orgId)
          .where('customerId', '=', subscription.customerId)
          .where('status', '=', 'succeeded')
          .where('amountRefunded', '=', 0)
          .executeTakeFirst();
        if (charge) await ledger.refundCharge({ chargeId: charge.id, reason: 'requested_by_customer' }, key());
      }
      writes += 1;
    }
    // Void an open invoice that carries MRR, when there is one.
    const open = await sql<{ id: string }>`
      select i.id from invoices i where i.org_id = ${fixture.orgId} and i.status = 'open'
         and exists (select 1 from mrr_lines f where f.org_id = i.org_id and f.line_id in
                     (select l.id from invoice_lines l where l.invoice_id = i.id))
       order by i.id limit 1`.execute(db);
    if (open.rows[0]) {
      await ledger.voidInvoice({ invoiceId: open.rows[0].id }, key());
      writes += 1;
    }
    // Time passes: renewals, dunning and period-end cancellations write through the engine too.
    await ledger.advanceClock(new Date(END.getTime() + 45 * 86_400_000));
    expect(writes).toBeGreaterThan(10);
    const kept = await facts(fixture);
    const until = new Date(END.getTime() + 60 * 86_400_000);
    await expectSameAsLines(fixture, FROM, until);
    await fromScratch(fixture);
    expect(await facts(fixture)).toEqual(kept);
  }, 180_000);

  it('rebuilding one customer touches only that customer', async () => {
    const { rows } = await sql<{ customerId: string }>`
      select customer_id from mrr_lines where org_id = ${fixture.orgId} order by customer_id limit 1`.execute(
      fixture.store.db,
    );
    const customerId = rows[0]?.customerId as string;
    const kept = await facts(fixture);
    await sql`delete from mrr_lines where org_id = ${fixture.orgId} and customer_id = ${customerId}`.execute(
      fixture.store.db,
    );
    const rebuilt = await rebuildMrrFacts(fixture.store.db, { orgId: fixture.orgId, customerId });
    expect(rebuilt.customers).toBe(1);
    expect(rebuilt.changed).toBeGreaterThan(0);
    expect(await facts(fixture)).toEqual(kept);
  });

  it('a rebuild of the whole org also puts right the payment attempts by day (a row changed by hand)', async () => {
    const { db } = fixture.store;
    const clean = await rebuildMrrFacts(db, { orgId: fixture.orgId });
    expect(clean.changed).toBe(0);
    expect(clean.paymentDays).toBeGreaterThan(100);
    // The possible double charges (migration 0037) kept as the business was generated equal a rebuild's.
    expect(clean.doubleChargePairs).toBeGreaterThan(0);
    await sql`update charge_days set attempts = attempts + 5
               where org_id = ${fixture.orgId} and (day, country, method, outcome) =
                     (select day, country, method, outcome from charge_days where org_id = ${fixture.orgId}
                       order by day desc limit 1)`.execute(db);
    const fixed = await rebuildMrrFacts(db, { orgId: fixture.orgId });
    // The changed row out, the right one in.
    expect(fixed.changed).toBe(2);
    expect((await rebuildMrrFacts(db, { orgId: fixture.orgId })).changed).toBe(0);
  });

  it('a rebuild of the whole org also puts right the MRR movements by month (a row changed by hand)', async () => {
    const { db } = fixture.store;
    const clean = await rebuildMrrFacts(db, { orgId: fixture.orgId });
    expect(clean.changed).toBe(0);
    expect(clean.mrrMonths).toBeGreaterThan(12);
    const until = new Date(END.getTime() + 60 * 86_400_000);
    // A month wholly inside [FROM, until): its movements come from mrr_months.
    const month = await sql<{ currency: string; month: string }>`
      select currency, month::text from mrr_months
       where org_id = ${fixture.orgId} and churn > 0
         and month >= ${FROM.toISOString().slice(0, 10)}::date
         and month < ${monthStart(until).toISOString().slice(0, 10)}::date
       order by month desc, currency limit 1`.execute(db);
    const target = month.rows[0];
    if (!target) throw new Error('no month with churn');
    const currency = target.currency as (typeof CURRENCIES)[number];
    const right = await analytics.mrrMovements(db, fixture.orgId, currency, FROM, until);
    await sql`update mrr_months set churn = churn + 500, net = net - 500
               where org_id = ${fixture.orgId} and currency = ${target.currency} and month = ${target.month}::date`.execute(
      db,
    );
    // The hand-changed row shows in the answer (the test would pass without mrr_months otherwise)…
    expect(await analytics.mrrMovements(db, fixture.orgId, currency, FROM, until)).not.toEqual(right);
    const fixed = await rebuildMrrFacts(db, { orgId: fixture.orgId });
    // …and a rebuild takes it out and puts the right one in.
    expect(fixed.changed).toBe(2);
    expect(await analytics.mrrMovements(db, fixture.orgId, currency, FROM, until)).toEqual(right);
  });
});
