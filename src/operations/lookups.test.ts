/**
 * The look-ups a support agent starts with, through the pipeline on a real store: plan and limits, the
 * subscription timeline, payments, failed payments with reasons, double charges. Each passes for a
 * read-only member, is refused with the field named on bad input, and is blocked when policy says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { gateWith } from '../../test/support/policy.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer } from '../domain/billing.ts';
import { isLeashError } from '../domain/errors.ts';
import { runRead } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `lookups_${++keys}` });
const card = (last4: string) => ({ brand: 'visa' as const, last4, expMonth: 12, expYear: 2035, country: 'US' });

describe(`look-ups (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let acme: Customer;
  let broke: Customer;
  let twice: { first: string; second: string };

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-03-01T00:00:00Z'));
    const product = await ledger.createProduct(
      { name: 'Team', limits: { seats: 5, api_calls: 10_000 }, overage: 'API calls over the limit are throttled.' },
      key(),
    );
    const team = await ledger.createPrice(
      { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 4_900 },
      key(),
    );
    acme = await ledger.createCustomer(
      { name: 'Acme Corp', email: 'billing@acme.test', country: 'US', currency: 'usd', paymentMethod: card('4242') },
      key(),
    );
    broke = await ledger.createCustomer(
      { name: 'Broke Ltd', email: 'ap@broke.test', country: 'GB', currency: 'usd', paymentMethod: card('9995') },
      key(),
    );
    const subscription = await ledger.createSubscription({ customerId: acme.id, items: [{ priceId: team.id }] }, key());
    await ledger.recordUsage({ subscriptionId: subscription.id, metric: 'api_calls', quantity: 7_500 }, key());
    await ledger.createSubscription({ customerId: broke.id, items: [{ priceId: team.id }] }, key());
    // Acme pays the same $120 onboarding invoice amount twice within an hour.
    const paid = [];
    for (const step of [1, 2]) {
      const draft = await ledger.createInvoice(
        { customerId: acme.id, lines: [{ description: `Onboarding ${step}`, amount: 12_000 }] },
        key(),
      );
      const open = await ledger.finalizeInvoice({ invoiceId: draft.id }, key());
      paid.push((await ledger.payInvoice({ invoiceId: open.id }, key())).charge?.id ?? '');
    }
    twice = { first: paid[0] ?? '', second: paid[1] ?? '' };
    await ledger.advanceClock(new Date('2026-03-05T00:00:00Z'));
  });
  afterAll(async () => fixture.close());

  const read = async (name: string, input: Record<string, unknown>) =>
    (await runRead(await fixture.context(READER), name, input)) as Record<string, unknown>;

  it('explain_plan: price, limits with usage against them, overage, renewal', async () => {
    const answer = (await read('explain_plan', { customer: 'acme corp' })) as {
      plans: { limits: { limit: string; allowed: number; used: number | null }[]; overage: string[]; renews: Date }[];
      summary: string;
    };
    expect(answer.plans).toHaveLength(1);
    expect(answer.plans[0]?.limits).toEqual(
      expect.arrayContaining([expect.objectContaining({ limit: 'api_calls', allowed: 10_000, used: 7_500 })]),
    );
    expect(answer.plans[0]?.overage).toEqual(['API calls over the limit are throttled.']);
    expect(answer.summary).toContain('$49.00/month');
    expect(answer.summary).toContain('renews 1 Apr 2026');
    expect(answer.summary).toContain('7,500 of 10,000');
  });

  it('usage_against_limits: who is near a limit this period, and nobody in the previous one', async () => {
    const answer = (await read('usage_against_limits', { min_share: 0.5 })) as {
      subscriptions: { customerName: string; limit: string; used: number; allowed: number; share: number }[];
      summary: string;
    };
    expect(answer.subscriptions).toEqual([
      expect.objectContaining({
        customerName: 'Acme Corp',
        limit: 'api_calls',
        used: 7_500,
        allowed: 10_000,
        share: 0.75,
      }),
    ]);
    expect(answer.summary).toContain('0 went over');
    const strict = (await read('usage_against_limits', { min_share: 0.8 })) as { subscriptions: unknown[] };
    expect(strict.subscriptions).toEqual([]);
    const before = (await read('usage_against_limits', { period: 'previous', min_share: 0 })) as {
      subscriptions: unknown[];
    };
    expect(before.subscriptions).toEqual([]);
  });

  it("get_invoice finds a customer's latest invoice by the customer's name", async () => {
    const answer = (await read('get_invoice', { customer: 'Acme Corp' })) as {
      invoice: { customerId: string; createdAt: Date; total: number; lines: { description: string }[] };
    };
    expect(answer.invoice.customerId).toBe(acme.id);
    expect(answer.invoice.lines[0]?.description).toBe('Onboarding 2');
    const none = await read('get_invoice', {}).catch((error: unknown) => error);
    expect(isLeashError(none, 'bad_input')).toBe(true);
  });

  it('subscription_history: a dated timeline, start first', async () => {
    const answer = (await read('subscription_history', { customer: acme.id })) as {
      events: { kind: string; ids: string[] }[];
    };
    expect(answer.events[0]?.kind).toBe('started');
    expect(answer.events.filter((event) => event.kind === 'invoiced')).toHaveLength(3);
  });

  it('failed_payments: counts, totals and reasons in words (the first attempt and the dunning retry)', async () => {
    const answer = (await read('failed_payments', {})) as { count: number; summary: string; reasons: object };
    expect(answer.count).toBe(2);
    expect(answer.reasons).toEqual({ insufficient_funds: 2 });
    expect(answer.summary).toBe('2 failed payments totalling $117.60: 2 insufficient funds.');
  });

  it('payment_history: succeeded and failed payments with totals', async () => {
    const answer = (await read('payment_history', { customer: 'ap@broke.test' })) as {
      payments: { status: string; failureCode: string }[];
      totals: { paid: number; failed: number }[];
    };
    expect(answer.payments).toEqual([
      expect.objectContaining({ status: 'failed', failureCode: 'insufficient_funds' }),
      expect.objectContaining({ status: 'failed', failureCode: 'insufficient_funds' }),
    ]);
    expect(answer.totals).toEqual([{ currency: 'usd', paid: 0, refunded: 0, failed: 11_760 }]);
  });

  it('find_double_charges: both charges as evidence, the later still refundable', async () => {
    const answer = (await read('find_double_charges', { customer: 'Acme Corp' })) as {
      doubleCharges: { charges: { id: string }[]; refundable: number; summary: string }[];
    };
    expect(answer.doubleCharges).toHaveLength(1);
    // Both were charged at the same ledger instant, so either may be listed first.
    expect(answer.doubleCharges[0]?.charges.map((charge) => charge.id).sort()).toEqual(
      [twice.first, twice.second].sort(),
    );
    expect(answer.doubleCharges[0]?.refundable).toBe(12_000);
    expect(answer.doubleCharges[0]?.summary).toContain('charged $120.00 twice');
    const none = (await read('find_double_charges', { customer: broke.id })) as { doubleCharges: unknown[] };
    expect(none.doubleCharges).toEqual([]);
  });

  it('bad input is refused with the field named; an unknown customer is not found', async () => {
    for (const [name, input, field] of [
      ['explain_plan', {}, 'customer'],
      ['failed_payments', { from: 'last week' }, 'from'],
      ['find_double_charges', { within_hours: 0 }, 'within_hours'],
    ] as const) {
      const refused = await read(name, input).catch((error: unknown) => error);
      expect(isLeashError(refused, 'bad_input')).toBe(true);
      expect((refused as { details: { field?: string } }).details.field).toBe(field);
    }
    const missing = await read('payment_history', { customer: 'cus_nope' }).catch((error: unknown) => error);
    expect(isLeashError(missing, 'not_found')).toBe(true);
  });

  it('a policy that keeps read-only members off payments blocks those look-ups only', async () => {
    const gate = await gateWith(
      '@id("test.no_payments_for_readers")\nforbid (principal, action, resource) when { principal.role == "read_only" && ["payment_history", "failed_payments"].contains(context.operation) };\n',
    );
    const context = await fixture.context(READER, { gate });
    for (const name of ['payment_history', 'failed_payments']) {
      const refused = await runRead(context, name, { customer: acme.id }).catch((error: unknown) => error);
      expect(isLeashError(refused, 'blocked')).toBe(true);
    }
    await expect(runRead(context, 'explain_plan', { customer: acme.id })).resolves.toBeTruthy();
  });
});
