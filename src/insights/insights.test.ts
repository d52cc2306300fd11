/**
 * Insights on a real store: MRR movements of a hand-built history checked to the cent, the identity
 * MRR(month) = MRR(previous) + movements on a generated business in every currency, and the insight
 * operations through the pipeline (pass for every member, block by policy, bad windows refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { gateWith } from '../../test/support/policy.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { listAuditEvents } from '../audit/list-audit-events.ts';
import type { BillingConnector } from '../connectors/connector.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import { generateDemo } from '../demo/generate-demo.ts';
import { isLeashError } from '../domain/errors.ts';
import { CURRENCIES } from '../domain/money.ts';
import { monthStart, show } from '../operations/period.ts';
import { runRead } from '../operations/run-operation.ts';
import type { MrrMonth } from './mrr-movements.ts';
import { explainOverdue } from './overdue-summary.ts';

const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };
let keys = 0;
const key = () => ({ idempotencyKey: `insights_${++keys}` });

/** Checks MRR(month end) = MRR(previous month end) + that month's movements, for every month and currency. */
async function checkIdentity(connector: BillingConnector, from: Date, until: Date): Promise<number> {
  let checked = 0;
  for (const currency of CURRENCIES) {
    const movements = await connector.mrrMovements({ currency, from, until });
    const byMonth = new Map(movements.map((row) => [row.month, row]));
    let previous = await connector.mrrAt({ currency, at: from });
    for (let month = monthStart(from); month < until; month = monthStart(month, 1)) {
      const end = monthStart(month, 1) < until ? monthStart(month, 1) : until;
      const row = byMonth.get(month.toISOString().slice(0, 7));
      const moved = row ? row.new + row.expansion + row.reactivation - row.contraction - row.churn : 0;
      const snapshot = await connector.mrrAt({ currency, at: end });
      expect({ currency, month: month.toISOString().slice(0, 7), mrr: previous + moved }).toEqual({
        currency,
        month: month.toISOString().slice(0, 7),
        mrr: snapshot,
      });
      previous = snapshot;
      checked += 1;
    }
  }
  return checked;
}

describe(`insights (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-01-01T00:00:00Z'));
    const product = async (name: string) => ledger.createProduct({ name, limits: { seats: 5 } }, key());
    const basic = await ledger.createPrice(
      { productId: (await product('Basic')).id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 3_000 },
      key(),
    );
    const proProduct = await product('Pro');
    const pro = await ledger.createPrice(
      { productId: proProduct.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 9_000 },
      key(),
    );
    const annual = await ledger.createPrice(
      { productId: proProduct.id, currency: 'usd', interval: 'year', scheme: 'flat', unitAmount: 120_000 },
      key(),
    );
    const customer = (name: string) =>
      ledger.createCustomer(
        { name, email: `${name.toLowerCase()}@x.test`, country: 'US', currency: 'usd', paymentMethod: card },
        key(),
      );
    const [alpha, beta, gamma, delta] = [
      await customer('Alpha'),
      await customer('Beta'),
      await customer('Gamma'),
      await customer('Delta'),
    ];
    // January: three new customers (30 + 1,200/12 + 30 = 160).
    const alphaSub = await ledger.createSubscription({ customerId: alpha.id, items: [{ priceId: basic.id }] }, key());
    await ledger.createSubscription({ customerId: beta.id, items: [{ priceId: annual.id }] }, key());
    const gammaSub = await ledger.createSubscription({ customerId: gamma.id, items: [{ priceId: basic.id }] }, key());
    // February: Alpha upgrades mid-period (+60); Gamma asks to leave at the end of the period.
    await ledger.advanceClock(new Date('2026-02-16T00:00:00Z'));
    await ledger.changePlan({ subscriptionId: alphaSub.id, priceId: pro.id }, key());
    await ledger.cancelSubscription({ subscriptionId: gammaSub.id, atPeriodEnd: true }, key());
    // March: Gamma churns (−30) on March 1. April: Gamma comes back (reactivation 30); Delta joins with 20% off forever.
    await ledger.advanceClock(new Date('2026-04-10T00:00:00Z'));
    await ledger.createSubscription({ customerId: gamma.id, items: [{ priceId: basic.id }] }, key());
    const coupon = await ledger.createCoupon(
      { code: 'LOYAL20', name: 'Loyal', percentOffBps: 2_000, duration: 'forever' },
      key(),
    );
    await ledger.createSubscription(
      { customerId: delta.id, items: [{ priceId: basic.id }], couponId: coupon.id },
      key(),
    );
    // May: Alpha moves back down to Basic at once (contraction 60).
    await ledger.advanceClock(new Date('2026-05-20T00:00:00Z'));
    await ledger.changePlan({ subscriptionId: alphaSub.id, priceId: basic.id }, key());
    await ledger.advanceClock(new Date('2026-06-15T00:00:00Z'));
  });
  afterAll(async () => fixture.close());

  it('movements of a known history, to the cent', async () => {
    const answer = (await runRead(await fixture.context(READER), 'mrr_movements', {
      from: '2026-01',
      to: '2026-06',
    })) as { currency: string; series: MrrMonth[]; openingMrr: number; mrr: number };
    expect(answer.currency).toBe('usd');
    expect(answer.openingMrr).toBe(0);
    const row = (month: string) => answer.series.find((entry) => entry.month === month);
    expect(row('2026-01')).toEqual({
      month: '2026-01',
      mrr: 16_000,
      new: 16_000,
      expansion: 0,
      contraction: 0,
      churn: 0,
      reactivation: 0,
    });
    expect(row('2026-02')).toMatchObject({ mrr: 22_000, expansion: 6_000, churn: 0 });
    expect(row('2026-03')).toMatchObject({ mrr: 19_000, churn: 3_000, expansion: 0 });
    expect(row('2026-04')).toMatchObject({ mrr: 24_400, reactivation: 3_000, new: 2_400 });
    expect(row('2026-05')).toMatchObject({ mrr: 18_400, contraction: 6_000 });
    expect(row('2026-06')).toMatchObject({ mrr: 18_400, new: 0, expansion: 0, contraction: 0, churn: 0 });
    expect(answer.mrr).toBe(await ledger.mrrAt({ currency: 'usd', at: new Date('2026-06-15T00:00:00.001Z') }));
  });

  it('top expansion names the customer that upgraded, with the plan it is on now', async () => {
    const answer = (await runRead(await fixture.context(CLERK), 'top_expansion', {
      from: '2026-01',
      to: '2026-06',
      limit: 5,
    })) as { customers: { name: string; expansion: number; plans: string[] }[]; explanation: string };
    expect(answer.customers).toHaveLength(1);
    expect(answer.customers[0]).toMatchObject({ name: 'Alpha', expansion: 6_000 });
    expect(answer.explanation).toContain('Alpha');
  });

  it("overdue: the words give every currency's total, in the right number", () => {
    // Two customers; one owes in two currencies (counted once), nothing over 90 days in pounds.
    const said = explainOverdue(
      [{ customerId: 'cus_a' }, { customerId: 'cus_a' }, { customerId: 'cus_b' }],
      [
        { currency: 'inr', customers: 1, invoices: 1, amount: 283_082, over90: 0 },
        { currency: 'usd', customers: 2, invoices: 3, amount: 12_900, over90: 2_900 },
      ],
      { name: 'Kite Travel Ltd', daysOverdue: 1 },
    );
    expect(said).toBe(
      `2 customers have overdue invoices: ${show(283_082, 'inr')} (1 invoice, 1 customer), ${show(12_900, 'usd')} (3 invoices, 2 customers; ${show(2_900, 'usd')} of it more than 90 days late). The oldest overdue invoice is Kite Travel Ltd's, 1 day past due.`,
    );
    const one = explainOverdue(
      [{ customerId: 'cus_a' }],
      [{ currency: 'gbp', customers: 1, invoices: 1, amount: 10_144, over90: 0 }],
      { name: 'Kite Travel Ltd', daysOverdue: 10 },
    );
    expect(one).toBe(
      `1 customer has overdue invoices: ${show(10_144, 'gbp')} (1 invoice, 1 customer). None of it is more than 90 days late. The oldest overdue invoice is Kite Travel Ltd's, 10 days past due.`,
    );
  });

  it('every insight runs for a read-only member and is audited', async () => {
    const context = await fixture.context(READER);
    for (const name of [
      'mrr_movements',
      'payment_failure_rates',
      'top_expansion',
      'involuntary_churn',
      'overdue_summary',
    ]) {
      const answer = (await runRead(context, name, {})) as { explanation: string };
      expect(answer.explanation.split('. ').length).toBeGreaterThanOrEqual(2);
    }
    const events = await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 50 });
    expect(events.filter((event) => event.event === 'data.read').length).toBeGreaterThanOrEqual(5);
  });

  it('a policy that forbids reading revenue blocks the insight, and the block is audited', async () => {
    const gate = await gateWith(
      '@id("test.no_revenue_for_readers")\nforbid (principal, action, resource) when { principal.role == "read_only" && context.operation == "mrr_movements" };\n',
    );
    const decisions = async () =>
      (await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 })).filter(
        (event) => event.event === 'decision.made',
      ).length;
    const before = await decisions();
    const refused = await runRead(await fixture.context(READER, { gate }), 'mrr_movements', {}).catch(
      (error: unknown) => error,
    );
    expect(isLeashError(refused, 'blocked')).toBe(true);
    expect(await decisions()).toBe(before + 1);
    // The same member may still read everything else.
    await expect(runRead(await fixture.context(READER, { gate }), 'overdue_summary', {})).resolves.toBeTruthy();
  });

  it('bad windows are refused with the field named', async () => {
    const context = await fixture.context(READER);
    for (const input of [{ from: '2026-13' }, { from: '2026-05', to: '2026-04' }, { to: '2026-02-30' }]) {
      const refused = await runRead(context, 'mrr_movements', input).catch((error: unknown) => error);
      expect(isLeashError(refused, 'bad_input')).toBe(true);
    }
  });

  it('the identity MRR(month) = MRR(previous) + movements holds in every month and currency of a generated business', async () => {
    const demo = await openLeashFixture();
    try {
      const end = new Date('2026-06-01T00:00:00Z');
      await generateDemo(demo.store, { orgId: demo.orgId, customers: 150, months: 14, seed: 'identity', endAt: end });
      const checked = await checkIdentity(demo.connector, new Date('2025-04-01T00:00:00Z'), end);
      expect(checked).toBe(CURRENCIES.length * 14);
      const usd = await demo.connector.mrrMovements({ currency: 'usd', from: new Date(0), until: end });
      const moved = usd.reduce((sum, row) => sum + row.new + row.expansion + row.churn + row.contraction, 0);
      expect(moved).toBeGreaterThan(0);
    } finally {
      await demo.close();
    }
  }, 120_000);
});
