/**
 * The charge reads rewritten for scale (issue 21) answer exactly what the straightforward queries they replace
 * answer: dunning outcomes (every failed charge grouped by invoice, then the window) and double charges (every
 * charge of the window joined with every earlier charge of its customer). On a generated business plus planted
 * cases at the edges: a triple charge (three pairs), two charges at the same instant, a pair exactly
 * `within` hours apart and one just over, another currency, a failed charge between, and an invoice whose
 * first failure falls before the window. And the failure rates read from the daily facts (migration 0033) answer
 * what the charges answer, kept through inserts, a customer's change of country, a changed and a deleted charge,
 * and equal to the facts rebuilt from the charges.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture } from '../../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../../test/support/store.ts';
import { generateDemo } from '../../demo/generate-demo.ts';
import { TWIN_HOURS } from '../../store/migrations/0037-charge-twins.ts';
import {
  attemptsFromCharges,
  doubleChargePairs,
  doubleChargePairsFromCharges,
  dunningOutcomes,
  openFailedInvoices,
  paymentAttempts,
} from './charge-analytics.ts';
import { LedgerConnector } from './ledger-connector.ts';

const END = new Date('2026-06-01T00:00:00Z');

/** Whose a planted charge is: its customer, invoice and currency. */
type ChargeOwner = { customerId: string; invoiceId: string | null; currency: string };
const HOUR = 3_600_000;

/** The query dunningOutcomes replaced. */
async function dunningByGrouping(fixture: LeashFixture, from: Date, until: Date) {
  const result = await sql<{ currency: string; outcome: string; invoices: number; amount: number }>`
    select i.currency,
           case when i.status = 'paid' then 'recovered' when i.status = 'open' then 'open' else 'lost' end as outcome,
           count(*)::int as invoices, sum(i.total)::float8 as amount
      from invoices i
      join (select invoice_id, min(created_at) as first_failure from charges
             where org_id = ${fixture.orgId} and status = 'failed' and invoice_id is not null
             group by invoice_id) f on f.invoice_id = i.id
     where i.org_id = ${fixture.orgId} and f.first_failure >= ${from} and f.first_failure < ${until}
     group by 1, 2 order by 1, 2`.execute(fixture.store.db);
  return result.rows.map((row) => ({ ...row, invoices: Number(row.invoices), amount: Number(row.amount) }));
}

/** The join doubleChargePairs replaced, every pair (no limit), as "first>second" strings. */
async function pairsByJoin(fixture: LeashFixture, from: Date, until: Date, withinHours: number) {
  const result = await sql<{ firstId: string; secondId: string }>`
    select earlier.id as first_id, later.id as second_id
      from charges later
      join charges earlier
        on earlier.org_id = ${fixture.orgId} and earlier.customer_id = later.customer_id
       and earlier.amount = later.amount and earlier.currency = later.currency and earlier.status = 'succeeded'
       and earlier.id <> later.id and earlier.created_at <= later.created_at
       and earlier.created_at >= later.created_at - make_interval(hours => ${withinHours})
       and (earlier.created_at < later.created_at or earlier.id < later.id)
     where later.org_id = ${fixture.orgId} and later.status = 'succeeded'
       and later.created_at >= ${from} and later.created_at < ${until}`.execute(fixture.store.db);
  return result.rows.map((row) => `${row.firstId}>${row.secondId}`).sort();
}

describe(`charge reads at scale answer what the plain queries answer (${testStoreKind})`, () => {
  let fixture: LeashFixture;

  /**
   * For each window, the pairs kept (migration 0037; read from the charges past `TWIN_HOURS`) and the pairs read
   * from the charges are both the join's pairs. How many pairs the windows had, in all.
   */
  async function expectPairsAsJoin(windows: [string, string, number][]): Promise<number> {
    let pairs = 0;
    for (const [from, until, withinHours] of windows) {
      const window = { from: new Date(from), until: new Date(until), withinHours, limit: 10_000 };
      const expected = await pairsByJoin(fixture, window.from, window.until, withinHours);
      const asText = (found: { firstId: string; secondId: string }[]) =>
        found.map((pair) => `${pair.firstId}>${pair.secondId}`).sort();
      expect(asText(await doubleChargePairs(fixture.store.db, fixture.orgId, window))).toEqual(expected);
      expect(asText(await doubleChargePairsFromCharges(fixture.store.db, fixture.orgId, window))).toEqual(expected);
      pairs += expected.length;
    }
    return pairs;
  }

  /** The org's kept pairs, as text. */
  const twins = async () =>
    (
      await sql<{ row: string }>`select concat_ws('|', customer_id, earlier_id, later_id, earlier_at, later_at) as row
                                   from charge_twins where org_id = ${fixture.orgId} order by 1`.execute(
        fixture.store.db,
      )
    ).rows.map((row) => row.row);

  /** A charge row of an existing customer (and invoice) at `at`. */
  const chargeRow = (
    id: string,
    base: ChargeOwner,
    at: Date,
    amount: number,
    status: 'succeeded' | 'failed' = 'succeeded',
    currency = base.currency,
  ) => ({
    id,
    orgId: fixture.orgId,
    customerId: base.customerId,
    invoiceId: base.invoiceId,
    amount,
    currency,
    status,
    failureCode: status === 'failed' ? 'card_declined' : null,
    method: 'card',
    createdAt: at,
  });

  /** Inserts a charge of an existing customer (and invoice) at `at`. */
  async function plant(...row: Parameters<typeof chargeRow>) {
    await fixture.store.db
      .insertInto('charges')
      .values(chargeRow(...row))
      .execute();
  }

  /** The customer, invoice and currency of a planted charge. */
  const ownerOf = (chargeId: string): Promise<ChargeOwner> =>
    fixture.store.db
      .selectFrom('charges')
      .select(['customerId', 'invoiceId', 'currency'])
      .where('id', '=', chargeId)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 120,
      months: 12,
      seed: 'charges',
      endAt: END,
    });
    const invoices = await fixture.store.db
      .selectFrom('invoices')
      .select(['id', 'customerId', 'currency'])
      .where('orgId', '=', fixture.orgId)
      .where('status', '=', 'paid')
      .orderBy('id')
      .limit(3)
      .execute();
    const [a, b, c] = invoices.map((invoice) => ({ ...invoice, invoiceId: invoice.id }));
    if (!a || !b || !c) throw new Error('the generated business has too few paid invoices');
    const at = (iso: string) => new Date(iso);
    // A triple within 72 h: pairs 1>2, 1>3, 2>3; a failed one between pairs with nothing.
    await plant('ch_t1', a, at('2026-04-10T10:00:00Z'), 4_321);
    await plant('ch_t2', a, at('2026-04-11T10:00:00Z'), 4_321);
    await plant('ch_tf', a, at('2026-04-11T12:00:00Z'), 4_321, 'failed');
    await plant('ch_t3', a, at('2026-04-12T09:00:00Z'), 4_321);
    // Same instant: one pair, ordered by id.
    await plant('ch_s1', b, at('2026-05-02T08:00:00Z'), 1_234);
    await plant('ch_s2', b, at('2026-05-02T08:00:00Z'), 1_234);
    // Exactly 72 h apart (a pair), 72 h and a minute (none), another currency (none).
    await plant('ch_e1', c, at('2026-03-01T00:00:00Z'), 777);
    await plant('ch_e2', c, at('2026-03-04T00:00:00Z'), 777);
    await plant('ch_o1', c, at('2026-03-20T00:00:00Z'), 888);
    await plant('ch_o2', c, new Date(Date.parse('2026-03-23T00:00:00Z') + 60_000), 888);
    await plant('ch_x1', c, at('2026-03-25T00:00:00Z'), 999);
    await plant('ch_x2', c, at('2026-03-25T01:00:00Z'), 999, 'succeeded', c.currency === 'usd' ? 'eur' : 'usd');
    // An earlier charge just before the window's start pairs with one inside it.
    await plant('ch_w1', b, new Date(Date.parse('2026-03-01T00:00:00Z') - HOUR), 555);
    await plant('ch_w2', b, at('2026-03-01T05:00:00Z'), 555);
    // An invoice that failed before the window and again inside it: its first failure is not in the window.
    await plant('ch_f1', a, at('2026-02-20T00:00:00Z'), 100, 'failed');
    await plant('ch_f2', a, at('2026-03-05T00:00:00Z'), 100, 'failed');
  }, 180_000);
  afterAll(async () => fixture.close());

  it('double charges: the same pairs as the join, for several windows and distances, and the planted ones', async () => {
    const windows: [string, string, number][] = [
      ['2026-03-01', '2026-06-01', 72],
      ['2026-03-01', '2026-06-01', 1],
      ['2025-06-01', '2026-06-01', 24 * 31],
      ['2025-06-01', '2026-06-01', TWIN_HOURS],
      ['2026-04-11', '2026-04-12', 72],
    ];
    expect(await expectPairsAsJoin(windows)).toBeGreaterThan(10);
    const planted = await pairsByJoin(fixture, new Date('2026-03-01'), new Date('2026-06-01'), 72);
    expect(planted).toEqual(
      expect.arrayContaining([
        'ch_t1>ch_t2',
        'ch_t1>ch_t3',
        'ch_t2>ch_t3',
        'ch_s1>ch_s2',
        'ch_e1>ch_e2',
        'ch_w1>ch_w2',
      ]),
    );
    expect(planted.some((pair) => /ch_o|ch_x|ch_tf/.test(pair))).toBe(false);
  });

  it('double charges: newest first, the limit and one customer', async () => {
    const window = { from: new Date('2026-03-01'), until: new Date('2026-06-01'), withinHours: 72 };
    const top = await doubleChargePairs(fixture.store.db, fixture.orgId, { ...window, limit: 2 });
    expect(top).toHaveLength(2);
    const b = await fixture.store.db
      .selectFrom('charges')
      .select('customerId')
      .where('id', '=', 'ch_s1')
      .executeTakeFirstOrThrow();
    const own = await doubleChargePairs(fixture.store.db, fixture.orgId, {
      ...window,
      customerId: b.customerId,
      limit: 50,
    });
    expect(own.map((pair) => `${pair.firstId}>${pair.secondId}`)).toEqual(
      expect.arrayContaining(['ch_s1>ch_s2', 'ch_w1>ch_w2']),
    );
    expect(own.every((pair) => pair.secondId.startsWith('ch_'))).toBe(true);
  });

  it('double charges: the pairs kept through a charge moved in time, a changed amount, a failed and a deleted charge, a backdated one; equal to a rebuild', async () => {
    const { db } = fixture.store;
    const base = await ownerOf('ch_e1');
    const before = await twins();
    // 72 h apart becomes 73 h: no longer a pair at 72 h, still one at TWIN_HOURS.
    await db
      .updateTable('charges')
      .set({ createdAt: new Date('2026-03-04T01:00:00Z') })
      .where('id', '=', 'ch_e2')
      .execute();
    // A changed amount makes a new pair (888 → 999 beside ch_x1 is too far: 5 days; 777 beside ch_e1 is not).
    await db.updateTable('charges').set({ amount: 777 }).where('id', '=', 'ch_o1').execute();
    // A succeeded charge that failed after all, a deleted one, and one written later but dated before the others.
    await db
      .updateTable('charges')
      .set({ status: 'failed', failureCode: 'expired_card' })
      .where('id', '=', 'ch_s2')
      .execute();
    await db.deleteFrom('charges').where('id', '=', 'ch_t3').execute();
    await plant('ch_b0', base, new Date('2026-02-28T12:00:00Z'), 777);
    // Several charges in one statement, pairing with each other and with those held.
    await db
      .insertInto('charges')
      .values(
        ['ch_m1', 'ch_m2', 'ch_m3'].map((id, index) =>
          chargeRow(id, base, new Date(Date.parse('2026-03-02T00:00:00Z') + index * HOUR), 777),
        ),
      )
      .execute();
    const kept = await twins();
    expect(kept).not.toEqual(before);
    expect(kept.some((row) => row.includes('ch_s2') || row.includes('ch_t3'))).toBe(false);
    expect(kept.some((row) => row.includes('|ch_b0|ch_e1|'))).toBe(true);
    expect(kept.some((row) => row.includes('|ch_m1|ch_m3|'))).toBe(true);
    expect(
      await expectPairsAsJoin([
        ['2026-02-01', '2026-06-01', 72],
        ['2026-02-01', '2026-06-01', 1],
        ['2026-02-01', '2026-06-01', TWIN_HOURS],
        ['2026-03-04', '2026-03-05', 72],
      ]),
    ).toBeGreaterThan(10);
    await sql`select charge_twins_rebuild(current_schema(), ${fixture.orgId})`.execute(db);
    expect(await twins()).toEqual(kept);
    // A pair taken out by hand is put back by a rebuild, and a pair made up by hand taken out.
    await sql`delete from charge_twins where org_id = ${fixture.orgId} and later_id = 'ch_e1'`.execute(db);
    await sql`insert into charge_twins (org_id, customer_id, earlier_id, later_id, earlier_at, later_at)
              values (${fixture.orgId}, ${base.customerId}, 'ch_x1', 'ch_o2', now(), now())`.execute(db);
    expect(await twins()).not.toEqual(kept);
    await sql`select charge_twins_rebuild(current_schema(), ${fixture.orgId})`.execute(db);
    expect(await twins()).toEqual(kept);
  });

  it.skipIf(testStoreKind !== 'postgres')(
    'double charges: two charges written at once by two transactions still make a pair (the second waits for the first)',
    async () => {
      const { db } = fixture.store;
      const base = await ownerOf('ch_e1');
      // Two UTC days, so the daily payment facts (migration 0033) do not make the second writer wait on their row.
      const charge = (id: string, minute: number) =>
        chargeRow(id, base, new Date(Date.parse('2026-05-20T23:59:00Z') + minute * 60_000), 31_337);
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let firstInserted = () => {};
      const inserted = new Promise<void>((resolve) => {
        firstInserted = resolve;
      });
      const first = db.transaction().execute(async (trx) => {
        await trx.insertInto('charges').values(charge('ch_race1', 0)).execute();
        firstInserted();
        await held;
      });
      await inserted;
      let secondDone = false;
      const second = db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('charges').values(charge('ch_race2', 2)).execute();
        })
        .then(() => {
          secondDone = true;
        });
      // The second insert waits on the first one's lock (or, without the lock, finishes at once).
      for (let waited = 0; waited < 3_000 && !secondDone; waited += 50) {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_stat_activity
           where wait_event_type = 'Lock' and wait_event = 'advisory' and query ilike 'insert into "charges"%'`.execute(
          db,
        );
        if (Number(rows[0]?.waiting) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      release();
      await Promise.all([first, second]);
      const found = await doubleChargePairs(db, fixture.orgId, {
        customerId: base.customerId,
        from: new Date('2026-05-20'),
        until: new Date('2026-05-22'),
        withinHours: 72,
        limit: 10,
      });
      expect(found).toEqual([{ firstId: 'ch_race1', secondId: 'ch_race2' }]);
    },
  );

  it('open failed invoices: what reading the failed charges, the open invoices and the customers one by one gives', async () => {
    const ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    const { db } = fixture.store;
    // Failures on an invoice left open: two retryable codes, one that is not, and one on the planted paid invoice.
    const open = await db
      .selectFrom('invoices')
      .select(['id', 'customerId', 'currency'])
      .where('orgId', '=', fixture.orgId)
      .where('status', '=', 'open')
      .where('amountRemaining', '>', 0)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const failure = (id: string, invoiceId: string, failureCode: string, at: string) =>
      db
        .insertInto('charges')
        .values({
          id,
          orgId: fixture.orgId,
          customerId: open.customerId,
          invoiceId,
          amount: 500,
          currency: open.currency,
          status: 'failed',
          failureCode,
          method: 'card',
          createdAt: new Date(at),
        })
        .execute();
    await failure('ch_of1', open.id, 'insufficient_funds', '2026-04-11T06:00:00Z');
    await failure('ch_of2', open.id, 'insufficient_funds', '2026-04-14T06:00:00Z');
    await failure('ch_of3', open.id, 'processing_error', '2026-04-17T06:00:00Z');
    await failure('ch_of4', open.id, 'card_declined', '2026-04-11T07:00:00Z');
    const windows: [string, string, string[]][] = [
      ['2026-03-01', '2026-06-01', ['insufficient_funds', 'processing_error']],
      ['2025-06-01', '2026-06-01', ['card_declined', 'insufficient_funds', 'processing_error', 'expired_card']],
      ['2026-04-11', '2026-04-12', ['card_declined']],
    ];
    let seen = 0;
    for (const [from, until, failureCodes] of windows) {
      const window = { from: new Date(from), until: new Date(until) };
      const failed = await ledger.listCharges({
        status: 'failed',
        createdFrom: window.from,
        createdTo: window.until,
        limit: 10_000,
      });
      const openIds = new Set(
        (await ledger.listInvoices({ status: 'open', limit: 10_000 }))
          .filter((invoice) => invoice.amountRemaining > 0)
          .map((invoice) => invoice.id),
      );
      const countries = new Map(
        (await ledger.getCustomers([...new Set(failed.map((charge) => charge.customerId))])).map((customer) => [
          customer.id,
          customer.country,
        ]),
      );
      const expected = new Map<string, number>();
      for (const charge of failed) {
        if (!charge.invoiceId || !openIds.has(charge.invoiceId) || !failureCodes.includes(charge.failureCode ?? ''))
          continue;
        const key = `${charge.invoiceId}|${countries.get(charge.customerId)}|${charge.failureCode}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const found = await openFailedInvoices(fixture.store.db, fixture.orgId, { ...window, failureCodes });
      expect(
        Object.fromEntries(found.map((row) => [`${row.invoiceId}|${row.country}|${row.failureCode}`, row.failures])),
      ).toEqual(Object.fromEntries(expected));
      seen += found.length;
    }
    expect(seen).toBeGreaterThan(3);
    const planted = await openFailedInvoices(db, fixture.orgId, {
      from: new Date('2026-04-01'),
      until: new Date('2026-05-01'),
      failureCodes: ['insufficient_funds', 'processing_error'],
    });
    expect(planted.filter((row) => row.invoiceId === open.id).map((row) => [row.failureCode, row.failures])).toEqual([
      ['insufficient_funds', 2],
      ['processing_error', 1],
    ]);
  });

  it('dunning outcomes: the same figures as grouping every failed charge, for several windows', async () => {
    const windows: [string, string][] = [
      ['2026-03-01', '2026-06-01'],
      ['2025-12-01', '2026-06-01'],
      ['2025-06-01', '2026-06-01'],
      ['2026-02-20', '2026-02-21'],
    ];
    let nonEmpty = 0;
    for (const [from, until] of windows) {
      const found = await dunningOutcomes(fixture.store.db, fixture.orgId, new Date(from), new Date(until));
      expect(found).toEqual(await dunningByGrouping(fixture, new Date(from), new Date(until)));
      if (found.length > 0) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(3);
  });

  /** Failure-rate windows: whole months, partial days at both ends, inside one day, a year. */
  const RATE_WINDOWS: [string, string][] = [
    ['2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    ['2026-02-15T13:37:00Z', '2026-05-20T08:00:00Z'],
    ['2026-04-11T01:00:00Z', '2026-04-11T23:00:00Z'],
    ['2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z'],
  ];

  async function expectRatesAsCharges(): Promise<number> {
    let rows = 0;
    for (const [from, until] of RATE_WINDOWS) {
      const window = [fixture.orgId, new Date(from), new Date(until)] as const;
      const fromFacts = await paymentAttempts(fixture.store.db, ...window);
      expect(fromFacts).toEqual(await attemptsFromCharges(fixture.store.db, ...window));
      rows += fromFacts.length;
    }
    return rows;
  }

  /** The org's daily facts that count (a row taken down to zero counts nothing). */
  const dayFacts = async () =>
    (
      await sql<{ row: string }>`select concat_ws('|', day, country, method, outcome, attempts, amount) as row
                                   from charge_days where org_id = ${fixture.orgId} and attempts <> 0
                                  order by 1`.execute(fixture.store.db)
    ).rows.map((row) => row.row);

  it('failure rates: whole days from the daily facts and the edges from the charges answer what the charges answer', async () => {
    expect(await expectRatesAsCharges()).toBeGreaterThan(20);
  });

  it('failure rates: kept through a change of country, a changed and a deleted charge; equal to a rebuild', async () => {
    const { db } = fixture.store;
    const moved = await db
      .selectFrom('charges')
      .select('customerId')
      .where('id', '=', 'ch_t1')
      .executeTakeFirstOrThrow();
    const country = await db
      .selectFrom('customers')
      .select('country')
      .where('id', '=', moved.customerId)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('customers')
      .set({ country: country.country === 'FR' ? 'DE' : 'FR' })
      .where('id', '=', moved.customerId)
      .execute();
    await db
      .updateTable('charges')
      .set({ status: 'failed', failureCode: 'expired_card' })
      .where('id', '=', 'ch_t2')
      .execute();
    await db.updateTable('charges').set({ amountRefunded: 100 }).where('id', '=', 'ch_t3').execute();
    await db.deleteFrom('charges').where('id', '=', 'ch_x2').execute();
    expect(await expectRatesAsCharges()).toBeGreaterThan(20);
    const kept = await dayFacts();
    await sql`select charge_days_rebuild(current_schema(), ${fixture.orgId})`.execute(db);
    expect(await dayFacts()).toEqual(kept);
    expect(kept.length).toBeGreaterThan(100);
  });
});
