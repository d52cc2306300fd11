/**
 * Request-parser fixes by class of miss (issue 16, second round), each tested with sentences written for this
 * file: ranges of dates with both ends, amounts said without a currency or as a share, timing qualifiers on
 * several targets, a customer's subscription picked by plan or age, the billing interval of a plan change, and
 * listing filters (ticket status, "unpaid + overdue").
 */
import { describe, expect, it } from 'vitest';
import { explicitRange, parseDateWindow } from '../../src/agent/builtin/dates.ts';
import { amountSpans, bareAmount, parseAmount } from '../../src/agent/builtin/entities.ts';
import { intervalAsked } from '../../src/agent/builtin/form.ts';
import { builtinPlannerOnEvalBusiness, reads, writes } from '../support/eval-business.ts';

const NOW = new Date('2026-11-20T09:00:00Z'); // a Friday

describe('dates: a range with both ends, or a start that runs to today', () => {
  const window = (text: string) => {
    const found = parseDateWindow(text.toLowerCase(), NOW);
    return found ? [found.from, found.to] : undefined;
  };

  it('reads months, quarters, ordinal days and their edges as one range', () => {
    expect(window('churn from March until May')).toEqual(['2026-03', '2026-05']);
    expect(window('revenue from the beginning of Q3 up to the end of September')).toEqual(['2026-07-01', '2026-09-30']);
    expect(window('payments from the second of June to the twenty-first of June')).toEqual([
      '2026-06-02',
      '2026-06-21',
    ]);
    expect(window('expansion over the months of April and May')).toEqual(['2026-04', '2026-05']);
    expect(window('invoices from February through April 2025')).toEqual(['2025-02', '2025-04']);
  });

  it('reads written digits: ISO with "..", day.month.year, and day/month', () => {
    expect(window('refunds 2026-09-05..2026-09-12')).toEqual(['2026-09-05', '2026-09-12']);
    expect(window('charges between 03.09.2026 and 17.09.2026')).toEqual(['2026-09-03', '2026-09-17']);
    expect(window('invoices from 02/09 to 20/09')).toEqual(['2026-09-02', '2026-09-20']);
  });

  it('runs a start after "since" or "from … till date" to today, weekdays included', () => {
    expect(window('credit notes since the fifth of November')).toEqual(['2026-11-05', '2026-11-20']);
    expect(window('refunds since wednesday')).toEqual(['2026-11-18', '2026-11-20']);
    expect(window('payments from 2nd Nov till date')).toEqual(['2026-11-02', '2026-11-20']);
  });

  it('leaves what is not a range to the patterns it had', () => {
    expect(explicitRange('mrr last week', NOW)).toBeUndefined();
    expect(window('invoices for the last 30 days')).toEqual(['2026-10-22', '2026-11-20']);
    expect(window('in q2')).toEqual(['2026-04', '2026-06']);
  });
});

describe('amounts: without a currency, after a code, or as a share', () => {
  it('reads a code before number words, and a share of an amount', () => {
    expect(amountSpans('send back EUR twelve').map((span) => [span.amount, span.currency])).toEqual([[1200, 'eur']]);
    expect(parseAmount('credit a third of $90 to them')).toEqual({ amount: 3000, currency: 'usd' });
    expect(parseAmount('credit 25% of £80')).toEqual({ amount: 2000, currency: 'gbp' });
  });

  it('reads a bare amount after the verb, prices said aloud included, and nothing else', () => {
    expect(bareAmount('refund them twelve forty on that charge')).toBe(12.4);
    expect(bareAmount('refund a fiver of it')).toBe(5);
    expect(bareAmount('refund 7.25 on INV-000001')).toBe(7.25);
    expect(bareAmount('refund thirty on the order')).toBe(30);
    expect(bareAmount('refund two invoices for acme')).toBeUndefined();
    expect(bareAmount('refund one of them')).toBeUndefined();
    expect(bareAmount('refund 3 charges')).toBeUndefined();
    expect(bareAmount('refund the last invoice')).toBeUndefined();
  });
});

describe('the interval a plan change asks for', () => {
  it('takes the interval moved to, not the one moved from', () => {
    expect(intervalAsked('they want to be billed yearly from now on')).toBe('year');
    expect(intervalAsked('monthly rather than annual, at renewal')).toBe('month');
    expect(intervalAsked('on annual today, switching to monthly')).toBe('month');
    expect(intervalAsked('annual instead of monthly')).toBe('year');
    expect(intervalAsked('upgrade them to Business')).toBeUndefined();
  });
});

describe('the built-in planner on these classes', () => {
  const { ask, fixture } = builtinPlannerOnEvalBusiness();

  it('passes a written range to a read', async () => {
    const answer = await ask('show MRR movements in EUR from the start of Q3 through the end of September');
    expect(reads(answer.calls, 'mrr_movements').map((call) => [call.input.from, call.input.to])).toEqual([
      ['2026-07-01', '2026-09-30'],
    ]);
  }, 60_000);

  it('refunds a spoken amount in the charge currency, and a share of a charge, never the whole charge', async () => {
    const charge = (await fixture()
      .business.store.db.selectFrom('charges')
      .select(['id', 'amount', 'currency'])
      .where('orgId', '=', fixture().business.orgId)
      .where('status', '=', 'succeeded')
      .where('invoiceId', 'is not', null)
      .orderBy('amount', 'desc')
      .executeTakeFirstOrThrow()) as { id: string; amount: number; currency: string };
    const spoken = await ask(`please refund them eight twenty on ${charge.id}`);
    expect(writes(spoken.calls).map((call) => [call.operation, call.input.amount, call.input.currency])).toEqual([
      ['refund_charge', 820, charge.currency],
    ]);
    const share = await ask(`refund 20% of ${charge.id}, goodwill`);
    const [refund] = writes(share.calls);
    expect(refund?.input.amount).toBeGreaterThan(0);
    expect(refund?.input.amount).toBeLessThan(charge.amount);
  }, 60_000);

  it('asks, and proposes nothing, when the amount asked is more than the invoice it would come from', async () => {
    const invoice = (await fixture()
      .business.store.db.selectFrom('invoices')
      .select(['id', 'number', 'total', 'currency'])
      .where('orgId', '=', fixture().business.orgId)
      .where('status', '=', 'paid')
      .where('currency', '=', 'usd')
      .where('total', '>', 0)
      .orderBy('total')
      .executeTakeFirstOrThrow()) as { id: string; number: string; total: number; currency: string };
    const more = (invoice.total + 2_100) / 100;
    const answer = await ask(`Refund $${more.toFixed(2)} of ${invoice.number}, the outage`);
    expect(writes(answer.calls)).toEqual([]);
    expect(answer.reply).toMatch(new RegExp(`^You asked to refund \\$${more.toFixed(2)}, but ${invoice.number}`));
    expect(answer.reply).toMatch(/Nothing has been proposed yet\.$/);
    // The whole invoice, said as its amount, is still a full refund.
    const whole = await ask(`Refund $${(invoice.total / 100).toFixed(2)} of ${invoice.number}, the outage`);
    expect(writes(whole.calls).map((call) => [call.operation, call.input.invoice_id, call.input.amount])).toEqual([
      ['refund_charge', invoice.id, undefined],
    ]);
  }, 60_000);

  it('keeps "at the end of their periods" for each of two customers', async () => {
    const answer = await ask('Cancel Hooli and Ultra Energy LLC, each at the end of their billing periods');
    const cancels = writes(answer.calls);
    expect(cancels.map((call) => call.operation)).toEqual(['cancel_subscription', 'cancel_subscription']);
    expect(cancels.map((call) => call.input.at_period_end)).toEqual([true, true]);
  }, 60_000);

  it('picks the subscription named by plan or age, and asks when nothing singles one out', async () => {
    const byPlan = await ask('Atlas Cloud Pvt Ltd: end the Starter one at period end, they keep the Basic');
    const [cancel] = writes(byPlan.calls);
    expect(cancel?.input.subscription_id).toBe('sub_demo000000073');
    expect(cancel?.input.at_period_end).toBe(true);
    const byAge = await ask("terminate the older of Globex's two subscriptions at renewal");
    expect(writes(byAge.calls).map((call) => call.input.subscription_id)).toEqual(['sub_demo000000006']);
    const unclear = await ask('cancel Globex at the end of the period');
    expect(writes(unclear.calls)).toEqual([]);
    expect(unclear.reply).toMatch(/2 live subscriptions .*Which one/);
  }, 60_000);

  it('moves to the interval asked for', async () => {
    const answer = await ask('Hooli would like to pay yearly for Pro from their next renewal');
    const [change] = writes(answer.calls);
    expect(change?.operation).toBe('change_plan');
    expect(change?.input.prorate).toBe(false);
    expect(change?.proposal?.preview.summary).toMatch(/annual|year/i);
  }, 60_000);

  it('filters listings: tickets awaiting approval, invoices unpaid and overdue', async () => {
    const tickets = await ask('which tickets are waiting on approval right now?');
    expect(reads(tickets.calls, 'list_tickets').map((call) => call.input.status)).toEqual(['waiting_approval']);
    const invoices = await ask('unpaid + overdue invoices, top 3');
    const listed = reads(invoices.calls, 'list_invoices');
    expect(listed.map((call) => [call.input.status, call.input.overdue])).toEqual([['open', true]]);
    expect(reads(invoices.calls, 'overdue_summary')).toEqual([]);
  }, 60_000);

  it('runs a leading "if it is still open" as a check, and writes on the invoice it found only if it held', async () => {
    const open = await ask('Look up INV-001359 and, if it is still open, retry the card on it.');
    expect(reads(open.calls, 'get_invoice').length).toBeGreaterThan(0);
    expect(writes(open.calls).map((call) => [call.operation, call.input.invoice_id])).toEqual([
      ['retry_invoice', 'in_demo000001359'],
    ]);
    const customer = await ask('If there is still an unpaid invoice for Nova Studio Inc, void it please');
    expect(reads(customer.calls, 'list_invoices').map((call) => call.input.status)).toContain('open');
    expect(writes(customer.calls).map((call) => [call.operation, call.input.invoice_id])).toEqual([
      ['void_invoice', 'in_demo000001359'],
    ]);
    const paid = await ask('If INV-001419 is still unpaid, retry it');
    expect(writes(paid.calls)).toEqual([]);
    expect(paid.reply).toMatch(/did not hold/);
  }, 60_000);

  it('gives a later clause\'s "their" the customer an earlier clause names', async () => {
    const answer = await ask(
      'Put WELCOME10 on Cloud Travel Co and change their billing email to ap@cloudtravel.example',
    );
    const update = writes(answer.calls).find((call) => call.operation === 'update_customer');
    expect(update?.input.email).toBe('ap@cloudtravel.example');
    expect(update?.proposal?.preview.summary).toMatch(/Cloud Travel Co/);
  }, 60_000);
});
