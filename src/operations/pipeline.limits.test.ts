/** Cumulative daily limits and input hygiene: amounts, sizes and nesting are checked before any policy. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, type LeashFixture, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { isLeashError } from '../domain/errors.ts';
import { proposeOperation } from './run-operation.ts';

describe(`daily limits and input checks (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  it('ten $99 refunds by one clerk in a day: the first three pass, the rest need approval', async () => {
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const outcomes: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const { charge } = await fixture.paidCharge(9_900);
      const proposal = await proposeOperation(context, 'refund_charge', {
        charge_id: charge.id,
        amount: 9_900,
        reason: 'dup',
        case_id: `T-${index}`,
      });
      outcomes.push(proposal.decision.outcome);
    }
    expect(outcomes).toEqual(['pass', 'pass', 'pass', 'warn', 'warn', 'warn', 'warn', 'warn', 'warn', 'warn']);
  });

  it('20 parallel $99 proposals never let more than the daily limit pass', async () => {
    const context = await fixture.context('cleo@northwind.test', { profile: 'caps' });
    const charges = [];
    for (let index = 0; index < 20; index += 1) charges.push((await fixture.paidCharge(9_900)).charge);
    const proposals = await Promise.all(
      charges.map((charge, index) =>
        proposeOperation(context, 'refund_charge', {
          charge_id: charge.id,
          amount: 9_900,
          reason: 'dup',
          case_id: `P-${index}`,
        }),
      ),
    );
    const passed = proposals.filter((proposal) => proposal.decision.outcome === 'pass');
    expect(passed.length).toBe(3);
    expect(passed.length * 9_900).toBeLessThanOrEqual(30_000);
  });

  it.each([
    ['zero', 0],
    ['negative', -100],
    ['fractional', 10.5],
    ['a string', '100'],
    ['huge', 1e20],
    ['NaN-like', 'NaN'],
  ])('an amount that is %s is refused before the policy', async (_label, amount) => {
    const { charge } = await fixture.paidCharge(5_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const before = await sql<{ n: number }>`select count(*)::int as n from proposals`.execute(fixture.store.db);
    const error = await proposeOperation(context, 'refund_charge', {
      charge_id: charge.id,
      amount,
      reason: 'x',
      case_id: 'T',
    }).catch((caught: unknown) => caught);
    expect(isLeashError(error, 'bad_input')).toBe(true);
    const after = await sql<{ n: number }>`select count(*)::int as n from proposals`.execute(fixture.store.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('a refund above the refundable remainder is blocked', async () => {
    const { charge } = await fixture.paidCharge(5_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(context, 'refund_charge', {
      charge_id: charge.id,
      amount: 5_001,
      reason: 'x',
      case_id: 'T',
    });
    expect(proposal.decision.outcome).toBe('block');
  });

  it('a currency other than the charge’s is blocked', async () => {
    const { charge } = await fixture.paidCharge(5_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(context, 'refund_charge', {
      charge_id: charge.id,
      amount: 1_000,
      currency: 'eur',
      reason: 'x',
      case_id: 'T',
    });
    expect(proposal.decision.outcome).toBe('block');
  });

  it('missing reason or case id is a BLOCK naming the missing context', async () => {
    const { charge } = await fixture.paidCharge(5_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(context, 'refund_charge', { charge_id: charge.id, amount: 1_000 });
    expect(proposal.decision.outcome).toBe('block');
    expect(proposal.decision.reasons.map((reason) => reason.message).join(' ')).toMatch(
      /missing required context.*case_id/,
    );
  });

  it('oversized or deeply nested input is refused before anything else', async () => {
    const context = await fixture.context(CLERK);
    const huge = { charge_id: 'ch_x', reason: 'x'.repeat(40_000), case_id: 'T' };
    expect(
      isLeashError(
        await proposeOperation(context, 'refund_charge', huge).catch((error: unknown) => error),
        'bad_input',
      ),
    ).toBe(true);
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let depth = 0; depth < 20; depth += 1) nested = { nested };
    expect(
      isLeashError(
        await proposeOperation(context, 'refund_charge', {
          charge_id: 'ch_x',
          reason: 'x',
          case_id: 'T',
          deep: nested,
        }).catch((error: unknown) => error),
        'bad_input',
      ),
    ).toBe(true);
  });

  it('an unknown operation is refused', async () => {
    const context = await fixture.context(CLERK);
    expect(
      isLeashError(
        await proposeOperation(context, 'transfer_all_money', {}).catch((error: unknown) => error),
        'not_found',
      ),
    ).toBe(true);
  });
});
