/**
 * simulate_pricing on a small hand-built ledger, every expectation worked out by hand: a price raised, an annual
 * discount changed (with a rounding case), a usage component added (with and without the plan's included units),
 * one series per currency, and the catalogue and ledger byte-for-byte the same after every simulation.
 *
 * The business, January–June 2026 (clock at 15 June, so the default 6 months are Jan–Jun):
 * - Alpha: Pro monthly, $99.00, invoiced 1 Jan … 1 Jun (6 × 9,900); 250 thousand API calls in Feb, 50 in Mar.
 * - Beta: Pro annual, $990.00 (10 months' price: 16.7% off 12), invoiced once on 1 Jan.
 * - Gamma: Starter monthly, $9.00, invoiced 1 Jan … 1 Jun (6 × 900).
 * - Delta: Pro monthly in EUR, €99.00 (6 × 9,900); 300 thousand API calls in Feb.
 * Pro includes 100,000 API calls (100 thousand) a month.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import { isLeashError } from '../domain/errors.ts';
import type { RevenueSeries } from '../insights/reprice.ts';
import { runRead } from './run-operation.ts';

const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };
let keys = 0;
const key = () => ({ idempotencyKey: `simulate_${++keys}` });
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];

interface Affected {
  name: string;
  currency: string;
  actual: number;
  simulated: number;
  difference: number;
}
interface Answer {
  plan: { name: string };
  series: RevenueSeries[];
  customers: { up: Affected[]; down: Affected[] };
  chart: { x: string[]; series: { name: string; values: number[] }[] };
  next: { operation: string; input: Record<string, unknown> } | null;
  explanation: string;
}

describe(`simulate_pricing (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;

  const simulate = async (input: Record<string, unknown>) =>
    (await runRead(await fixture.context(READER), 'simulate_pricing', input)) as Answer;

  /** Everything a simulation must not touch, serialised. */
  const snapshot = async () =>
    JSON.stringify({
      products: await ledger.listProducts(),
      prices: await ledger.listPrices(),
      coupons: await ledger.listCoupons(),
      customers: await ledger.findCustomers({ limit: 100 }),
      subscriptions: await ledger.listSubscriptions({ limit: 100 }),
      invoices: await ledger.listInvoices({ limit: 1_000 }),
      now: await ledger.now(),
    });

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-01-01T00:00:00Z'));
    const starter = await ledger.createProduct({ name: 'Starter (legacy)', limits: { seats: 1 } }, key());
    const pro = await ledger.createProduct({ name: 'Pro', limits: { seats: 10, api_calls: 100_000 } }, key());
    const price = (productId: string, currency: 'usd' | 'eur', interval: 'month' | 'year', unitAmount: number) =>
      ledger.createPrice({ productId, currency, interval, scheme: 'flat', unitAmount }, key());
    const starterMonthly = await price(starter.id, 'usd', 'month', 900);
    const proMonthly = await price(pro.id, 'usd', 'month', 9_900);
    const proAnnual = await price(pro.id, 'usd', 'year', 99_000);
    const proEur = await price(pro.id, 'eur', 'month', 9_900);
    const customer = (name: string, currency: 'usd' | 'eur') =>
      ledger.createCustomer(
        {
          name,
          email: `${name.toLowerCase()}@x.test`,
          country: currency === 'usd' ? 'US' : 'DE',
          currency,
          paymentMethod: card,
        },
        key(),
      );
    const subscribe = async (name: string, currency: 'usd' | 'eur', priceId: string) =>
      ledger.createSubscription({ customerId: (await customer(name, currency)).id, items: [{ priceId }] }, key());
    const alpha = await subscribe('Alpha', 'usd', proMonthly.id);
    await subscribe('Beta', 'usd', proAnnual.id);
    await subscribe('Gamma', 'usd', starterMonthly.id);
    const delta = await subscribe('Delta', 'eur', proEur.id);
    await ledger.advanceClock(new Date('2026-02-10T00:00:00Z'));
    await ledger.recordUsage({ subscriptionId: alpha.id, metric: 'api_calls_thousands', quantity: 250 }, key());
    await ledger.recordUsage({ subscriptionId: delta.id, metric: 'api_calls_thousands', quantity: 300 }, key());
    await ledger.advanceClock(new Date('2026-03-10T00:00:00Z'));
    await ledger.recordUsage({ subscriptionId: alpha.id, metric: 'api_calls_thousands', quantity: 50 }, key());
    await ledger.advanceClock(new Date('2026-06-15T00:00:00Z'));
  });
  afterAll(async () => fixture.close());

  it('a price raised: Starter at $12 adds $3.00 a month for Gamma, and the catalogue is untouched', async () => {
    const before = await snapshot();
    const answer = await simulate({ plan: 'Starter', change: { kind: 'price', amount: 1_200, currency: 'usd' } });
    expect(await snapshot()).toBe(before);
    expect(answer.plan.name).toBe('Starter (legacy)');
    expect(answer.series).toHaveLength(1);
    const [usd] = answer.series;
    expect(usd?.months.map((row) => row.month)).toEqual(MONTHS);
    expect(usd?.months.every((row) => row.actual === 900 && row.simulated === 1_200 && row.difference === 300)).toBe(
      true,
    );
    expect(usd).toMatchObject({ currency: 'usd', actual: 5_400, simulated: 7_200, difference: 1_800 });
    expect(answer.customers.up).toEqual([
      expect.objectContaining({ name: 'Gamma', actual: 5_400, simulated: 7_200, difference: 1_800 }),
    ]);
    expect(answer.customers.down).toEqual([]);
    expect(answer.chart.x).toEqual(MONTHS);
    expect(answer.chart.series.map((series) => series.values)).toEqual([
      [900, 900, 900, 900, 900, 900],
      [1_200, 1_200, 1_200, 1_200, 1_200, 1_200],
    ]);
    expect(answer.next).toEqual({
      operation: 'create_price',
      input: expect.objectContaining({ currency: 'usd', interval: 'month', scheme: 'flat', unit_amount: 1_200 }),
    });
    expect(answer.explanation).toContain('Gamma');
  });

  it('a price raised on a plan billed in two currencies: only USD monthly lines move, one series per currency', async () => {
    const answer = await simulate({ plan: 'Pro', change: { kind: 'price', amount: 10_900, currency: 'usd' } });
    const usd = answer.series.find((series) => series.currency === 'usd');
    const eur = answer.series.find((series) => series.currency === 'eur');
    // January: Alpha 9,900 + Beta's annual 99,000 (unchanged: a monthly price was changed) → 108,900 vs 109,900.
    expect(usd?.months[0]).toEqual({ month: '2026-01', actual: 108_900, simulated: 109_900, difference: 1_000 });
    expect(usd?.months[1]).toEqual({ month: '2026-02', actual: 9_900, simulated: 10_900, difference: 1_000 });
    expect(usd).toMatchObject({ actual: 158_400, simulated: 164_400, difference: 6_000 });
    expect(eur).toMatchObject({ actual: 59_400, simulated: 59_400, difference: 0 });
    expect(answer.customers.up.map((row) => [row.name, row.difference])).toEqual([['Alpha', 6_000]]);
  });

  it('an annual discount changed: 25% off 12 months makes Beta pay $891.00 instead of $990.00', async () => {
    const before = await snapshot();
    const answer = await simulate({ plan: 'Pro', change: { kind: 'annual_discount', percent: 25 } });
    expect(await snapshot()).toBe(before);
    const usd = answer.series.find((series) => series.currency === 'usd');
    // 12 × 9,900 = 118,800; less 25% = 89,100; Beta's one annual invoice moves by −9,900.
    expect(usd?.months[0]).toEqual({ month: '2026-01', actual: 108_900, simulated: 99_000, difference: -9_900 });
    expect(usd?.difference).toBe(-9_900);
    expect(answer.customers.down).toEqual([
      expect.objectContaining({ name: 'Beta', actual: 99_000, simulated: 89_100, difference: -9_900 }),
    ]);
    expect(answer.customers.up).toEqual([]);
    expect(answer.explanation).toContain('now 16.7%');
    expect(answer.next?.input).toMatchObject({ interval: 'year', unit_amount: 89_100, currency: 'usd' });
  });

  it('an annual discount that does not come out in whole cents rounds half away from zero, once', async () => {
    // 118,800 × (1 − 0.173) = 98,247.6 → 98,248.
    const answer = await simulate({ plan: 'Pro', change: { kind: 'annual_discount', percent: 17.3 } });
    expect(answer.customers.down[0]).toMatchObject({ name: 'Beta', simulated: 98_248, difference: -752 });
  });

  it('a usage component added: units over the included 100 thousand at 40¢ each, by month of use', async () => {
    const before = await snapshot();
    const answer = await simulate({
      plan: 'Pro',
      change: { kind: 'usage_component', unit_amount: 40, meter: 'api_calls_thousands' },
    });
    expect(await snapshot()).toBe(before);
    const usd = answer.series.find((series) => series.currency === 'usd');
    // Alpha, February: (250 − 100) × 40 = 6,000. March: 50 is under the allowance. Delta bills in EUR: not priced.
    expect(usd?.months.map((row) => row.difference)).toEqual([0, 6_000, 0, 0, 0, 0]);
    expect(answer.series.find((series) => series.currency === 'eur')?.difference).toBe(0);
    expect(answer.customers.up).toEqual([expect.objectContaining({ name: 'Alpha', difference: 6_000 })]);
    expect(answer.next).toEqual({
      operation: 'create_usage_price',
      input: expect.objectContaining({
        metric: 'api_calls_thousands',
        currency: 'usd',
        free_allowance: 100,
        tiers: [{ up_to: null, unit_amount: 40 }],
      }),
    });
  });

  it('a usage component with no free units, in EUR: every unit of the EUR subscriber is priced', async () => {
    const all = await simulate({
      plan: 'Pro',
      change: { kind: 'usage_component', unit_amount: 40, meter: 'api_calls_thousands', free_units: 0 },
    });
    // Alpha: 250 × 40 = 10,000 in February, 50 × 40 = 2,000 in March.
    expect(all.series.find((series) => series.currency === 'usd')?.months.map((row) => row.difference)).toEqual([
      0, 10_000, 2_000, 0, 0, 0,
    ]);
    const eur = await simulate({
      plan: 'Pro',
      change: { kind: 'usage_component', unit_amount: 40, meter: 'api_calls_thousands', currency: 'eur' },
    });
    // Delta: (300 − 100) × 40 = 8,000 in February.
    expect(eur.series.find((series) => series.currency === 'eur')?.months[1]?.difference).toBe(8_000);
    expect(eur.customers.up).toEqual([expect.objectContaining({ name: 'Delta', currency: 'eur', difference: 8_000 })]);
  });

  it('a shorter window reprices only its months', async () => {
    const answer = await simulate({
      plan: 'Starter',
      change: { kind: 'price', amount: 1_200, currency: 'usd' },
      months: 2,
    });
    expect(answer.series[0]).toMatchObject({ actual: 1_800, simulated: 2_400 });
    expect(answer.chart.x).toEqual(['2026-05', '2026-06']);
  });

  it('bad input is refused with the field named, and an unknown plan is not found', async () => {
    const context = await fixture.context(READER);
    for (const input of [
      { plan: 'Pro', change: { kind: 'price', amount: -1, currency: 'usd' } },
      { plan: 'Pro', change: { kind: 'price', amount: 1.5, currency: 'usd' } },
      { plan: 'Pro', change: { kind: 'discount', percent: 10 } },
      { plan: 'Pro', change: { kind: 'annual_discount', percent: 120 } },
      { plan: 'Pro', change: { kind: 'usage_component', unit_amount: 40, meter: 'API calls!' } },
      { plan: 'Pro', change: { kind: 'price', amount: 100, currency: 'usd' }, months: 25 },
      { plan: '', change: { kind: 'price', amount: 100, currency: 'usd' } },
    ]) {
      const refused = await runRead(context, 'simulate_pricing', input).catch((error: unknown) => error);
      expect(isLeashError(refused, 'bad_input')).toBe(true);
    }
    const missing = await runRead(context, 'simulate_pricing', {
      plan: 'Platinum',
      change: { kind: 'price', amount: 100, currency: 'usd' },
    }).catch((error: unknown) => error);
    expect(isLeashError(missing, 'not_found')).toBe(true);
  });
});
