/**
 * Usage-against-limits suggestions on a hand-made ledger (issue 21): periods are counted from the billing anchor
 * as renewals are (a subscription anchored on the 31st: 31 Jan – 28 Feb – 31 Mar – 30 Apr), and while nobody is
 * over a limit in the current period yet, the last two complete periods are compared; a one-period spike is not
 * persistent. Real store (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, MANAGER, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import type { BillingConnector } from '../connectors/connector.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Price, Subscription } from '../domain/billing.ts';
import { runRead } from '../operations/run-operation.ts';
import type { Suggestion } from './suggest.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `suggest_${++keys}` });
const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };
const at = (iso: string) => new Date(`${iso}Z`);

type Answer = { subscriptions: { subscriptionId: string; used: number }[]; suggestions: Suggestion[] };

describe(`usage against limits suggestions (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let scale: Price;
  let steady: Subscription;
  let spike: Subscription;

  /** Records `quantity` API calls on `subscription` at `when`, moving the ledger's clock there first. */
  const use = async (subscription: Subscription, when: string, quantity: number) => {
    await ledger.advanceClock(at(when));
    await ledger.recordUsage(
      { subscriptionId: subscription.id, metric: 'api_calls', quantity, timestamp: at(when) },
      key(),
    );
  };
  /** The ledger as operations see it (the connector interface). */
  const reads = (): BillingConnector => ledger;
  const read = async (input: Record<string, unknown>) =>
    (await runRead(await fixture.context(MANAGER), 'usage_against_limits', input)) as Answer;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(at('2026-01-31T00:00:00'));
    const team = await ledger.createProduct({ name: 'Team', limits: { api_calls: 1_000 } }, key());
    const bigger = await ledger.createProduct({ name: 'Scale', limits: { api_calls: 10_000 } }, key());
    const teamPrice = await ledger.createPrice(
      { productId: team.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 4_900 },
      key(),
    );
    scale = await ledger.createPrice(
      { productId: bigger.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 19_900 },
      key(),
    );
    const subscribe = async (name: string) => {
      const customer = await ledger.createCustomer(
        {
          name,
          email: `billing@${name.split(' ')[0]?.toLowerCase()}.test`,
          country: 'US',
          currency: 'usd',
          paymentMethod: card,
        },
        key(),
      );
      return ledger.createSubscription({ customerId: customer.id, items: [{ priceId: teamPrice.id }] }, key());
    };
    steady = await subscribe('Steady Co');
    spike = await subscribe('Spike Co');
    // 31 Jan – 28 Feb: Steady 2,100 (over), Spike 200.
    await use(steady, '2026-01-31T12:00:00', 100);
    await use(spike, '2026-02-27T00:00:00', 200);
    await use(steady, '2026-02-27T06:00:00', 2_000);
    // 28 Feb – 31 Mar: Steady 3,000, Spike 5,000 (both over). A day-count window (30 days back from 31 Mar)
    // would miss 28 Feb's 1,500.
    await use(steady, '2026-02-28T12:00:00', 1_500);
    await use(steady, '2026-03-30T00:00:00', 1_500);
    await use(spike, '2026-03-30T06:00:00', 5_000);
    // 31 Mar – 30 Apr, the current period: Steady 500 so far.
    await use(steady, '2026-04-10T00:00:00', 500);
    await ledger.advanceClock(at('2026-04-15T00:00:00'));
  }, 120_000);
  afterAll(async () => fixture?.close());

  it('counts each period from the billing anchor, calendar months clamped to the month end', async () => {
    const current = await ledger.getSubscription(steady.id);
    expect(current?.currentPeriodStart).toEqual(at('2026-03-31T00:00:00'));
    const usedIn = async (periodsBack: number) =>
      (await reads().usageAgainstLimits({ previous: periodsBack > 0, periodsBack, minShare: 0, limit: 100 }))
        .filter((row) => row.subscriptionId === steady.id)
        .map((row) => row.used);
    expect(await usedIn(0)).toEqual([500]);
    expect(await usedIn(1)).toEqual([3_000]);
    expect(await usedIn(2)).toEqual([2_100]);
    expect(await usedIn(3)).toEqual([]);
    // `previous: true` without periodsBack is the period before the current one.
    const previous = await reads().usageAgainstLimits({ previous: true, minShare: 0, limit: 100 });
    expect(previous.find((row) => row.subscriptionId === steady.id)?.used).toBe(3_000);
  });

  it('nobody over in the current period yet: the last two complete periods are compared, a spike is not persistent', async () => {
    const answer = await read({});
    expect(answer.subscriptions).toEqual([]);
    expect(answer.suggestions).toHaveLength(1);
    const [move] = answer.suggestions;
    expect(move?.operation).toBe('change_plan');
    expect(move?.input).toMatchObject({ subscription_id: steady.id, price_id: scale.id });
    expect(String(move?.input.reason)).toContain('the last two complete periods');
    expect(move?.text).toBe('Move Steady Co from Team to Scale ($199.00 a month)');
    expect(move?.why).toContain(
      "used 3,000 api_calls against Team's 1,000 in the last complete period, and 2,100 in the one before",
    );

    // The previous period's answer lists both; only Steady was over in the period before it too.
    const previous = await read({ period: 'previous' });
    expect(previous.subscriptions.map((row) => row.subscriptionId).sort()).toEqual([steady.id, spike.id].sort());
    expect(previous.suggestions.map((entry) => entry.input.subscription_id)).toEqual([steady.id]);

    // Asked about one customer, the suggestions are about that customer only.
    expect((await read({ customer: 'Spike Co' })).suggestions).toEqual([]);
    expect((await read({ customer: 'Steady Co' })).suggestions.map((entry) => entry.input.subscription_id)).toEqual([
      steady.id,
    ]);
  });

  it('over in the current period and the one before: those two are compared', async () => {
    await use(steady, '2026-04-16T00:00:00', 700);
    const answer = await read({});
    expect(answer.subscriptions.map((row) => [row.subscriptionId, row.used])).toEqual([[steady.id, 1_200]]);
    expect(answer.suggestions.map((entry) => entry.input.subscription_id)).toEqual([steady.id]);
    expect(String(answer.suggestions[0]?.input.reason)).toContain('this period and the one before');
    expect(answer.suggestions[0]?.why).toContain(
      "1,200 api_calls against Team's 1,000 in this period, and 3,000 in the one before",
    );
  });
});
