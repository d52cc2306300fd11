/**
 * Cumulative limits over a rolling 24 h window and per customer (issue 17), through the real pipeline: a clerk's
 * refunds just before and just after UTC midnight count together, and several clerks together cannot refund one
 * customer more than one member's daily limit without approval.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../src/auth/members.ts';
import { approveRequest, proposeOperation } from '../../src/operations/run-operation.ts';
import { CLERK, CLERK_2, FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { gateWithRules } from '../support/policy.ts';
import { testStoreKind } from '../support/store.ts';

const HOUR = 3_600_000;

describe(`rolling and per-customer limits (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  const refund = async (email: string, chargeId: string, amount: number) =>
    proposeOperation(await fixture.context(email, { profile: 'caps' }), 'refund_charge', {
      charge_id: chargeId,
      amount,
      reason: 'duplicate charge',
      case_id: 'T-limits',
    });

  /** Moves a member's reservations (proposals and the day's counter) to `at`, as if made then. */
  async function moveReservations(email: string, at: Date) {
    const member = await fixture.member(email);
    const day = at.toISOString().slice(0, 10);
    await sql`update proposals set created_at = ${at}, updated_at = ${at}, reserved_day = ${day}
      where requester_id = ${member.id} and reserved_day is not null`.execute(fixture.store.db);
    await sql`delete from limit_counters where member_id = ${member.id}`.execute(fixture.store.db);
    const total = await sql<{ total: string }>`select coalesce(sum(money_amount), 0) as total from proposals
      where requester_id = ${member.id} and reserved_day is not null`.execute(fixture.store.db);
    await sql`insert into limit_counters (org_id, member_id, kind, day, currency, reserved)
      values (${fixture.orgId}, ${member.id}, 'money.refund', ${day}, 'usd', ${Number(total.rows[0]?.total ?? 0)})`.execute(
      fixture.store.db,
    );
  }

  it('refunds just before UTC midnight and just after count against one 24 h window', async () => {
    const now = new Date();
    const midnight = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
    // Just before the last UTC midnight (or 23 h ago, late in the day, so it stays inside the window).
    const before = new Date(Math.max(midnight.getTime() - 60_000, now.getTime() - 23 * HOUR));
    for (let index = 0; index < 3; index += 1) {
      const { charge } = await fixture.paidCharge(9_900);
      expect((await refund(CLERK, charge.id, 9_900)).decision.outcome).toBe('pass');
    }
    await moveReservations(CLERK, before);
    const { charge } = await fixture.paidCharge(9_900);
    const after = await refund(CLERK, charge.id, 9_900);
    expect(after.decision.outcome).toBe('warn');
    expect(after.decision.reasons.map((reason) => reason.policyId)).toContain('limits.daily');
    expect(after.decision.reasons.map((reason) => reason.message).join(' ')).toContain('in the last 24 h');

    // Once the earlier refunds are more than 24 h old, the window has room again.
    await moveReservations(CLERK, new Date(now.getTime() - 25 * HOUR));
    const { charge: next } = await fixture.paidCharge(9_900);
    expect((await refund(CLERK, next.id, 9_900)).decision.outcome).toBe('pass');
  });

  it('two clerks refunding one customer hit the per-customer limit; finance can approve', async () => {
    const { customer, charge } = await fixture.paidCharge(100_000, 'usd', 'Shared Target LLC');
    expect((await refund(CLERK, charge.id, 9_900)).decision.outcome).toBe('pass');
    expect((await refund(CLERK, charge.id, 9_900)).decision.outcome).toBe('pass');
    expect((await refund(CLERK_2, charge.id, 9_900)).decision.outcome).toBe('pass');
    // Each clerk is within their own limit ($198 and $198 of $300); together the customer would get $396.
    const fourth = await refund(CLERK_2, charge.id, 9_900);
    expect(fourth.decision.outcome).toBe('warn');
    expect(fourth.decision.reasons.map((reason) => reason.policyId)).toEqual(['limits.per_customer']);
    expect(fourth.decision.reasons[0]?.message).toContain(customer.id);
    expect(fourth.decision.requiredApprovers.groups).toContain('finance');
    const approved = await approveRequest(
      await fixture.context(FINANCE, { profile: 'caps' }),
      fourth.approval?.id ?? '',
      {
        reason: 'goodwill, checked',
        confirmText: 'CONFIRM',
      },
    );
    expect(approved.status).toBe('succeeded');
  });

  it('a clerk over the daily limit under caps can be approved by finance (the limit WARN is routed)', async () => {
    // $99 refunds to fresh customers (so only the member limit counts) until one is over the clerk's $300.
    let over = await refund(CLERK, (await fixture.paidCharge(9_900)).charge.id, 9_900);
    for (let index = 0; index < 3 && over.decision.outcome === 'pass'; index += 1)
      over = await refund(CLERK, (await fixture.paidCharge(9_900)).charge.id, 9_900);
    expect(over.decision.reasons.map((reason) => reason.policyId)).toEqual(['limits.daily']);
    const approved = await approveRequest(
      await fixture.context(FINANCE, { profile: 'caps' }),
      over.approval?.id ?? '',
      {
        reason: 'checked the duplicates',
        confirmText: 'CONFIRM',
      },
    );
    expect(approved.status).toBe('succeeded');
  });

  it('20 parallel refunds by two fresh clerks to one customer never pass more than the per-customer limit', async () => {
    for (const email of ['pc1@northwind.test', 'pc2@northwind.test'])
      await addMember(fixture.store.db, fixture.orgId, { email, role: 'billing_clerk', groups: [] });
    const { charge } = await fixture.paidCharge(100_000, 'usd', 'Parallel Target LLC');
    const proposals = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        refund(index % 2 === 0 ? 'pc1@northwind.test' : 'pc2@northwind.test', charge.id, 3_000),
      ),
    );
    // Each clerk's own $300 would let all ten of theirs pass; together the customer's $300 lets ten pass in all.
    const passed = proposals.filter((proposal) => proposal.decision.outcome === 'pass');
    expect(passed.length).toBe(10);
    const warned = proposals.filter((proposal) => proposal.decision.outcome === 'warn');
    expect(warned.every((proposal) => proposal.decision.reasons[0]?.policyId === 'limits.per_customer')).toBe(true);
  });

  it('the per-customer limit follows the actor’s role: a manager’s limit is a manager’s', async () => {
    const { charge } = await fixture.paidCharge(100_000, 'usd', 'Manager Target LLC');
    for (const email of [CLERK_2, CLERK_2]) await refund(email, charge.id, 9_900);
    // Over a clerk's $300 for this customer, well within a manager's $15,000.
    expect((await refund(MANAGER, charge.id, 20_000)).decision.outcome).toBe('pass');
  });

  it('the per-customer multiplier comes from the rules file', async () => {
    const gate = await gateWithRules((rules) => {
      rules.per_customer_daily_multiplier = 1;
    });
    const { charge } = await fixture.paidCharge(100_000, 'usd', 'Tight Limit LLC');
    const context = async (email: string) => fixture.context(email, { profile: 'caps', gate });
    const first = await proposeOperation(await context(MANAGER), 'refund_charge', {
      charge_id: charge.id,
      amount: 9_900,
      reason: 'x',
      case_id: 'T',
    });
    expect(first.decision.outcome).toBe('pass');
    const second = await proposeOperation(await context(CLERK_2), 'refund_charge', {
      charge_id: charge.id,
      amount: 500,
      reason: 'x',
      case_id: 'T',
    });
    expect(second.decision.reasons.map((reason) => reason.policyId)).toContain('limits.per_customer');
  });
});
