/**
 * Request-parser fixes by class of miss (issue 16, third round), each tested with sentences written for this file:
 * the order a listing is asked in and the filters a request rules out ("not the paid ones"), a write the request
 * rules out ("don't cancel them yet — just …"), remarks and headers before the instruction, a pasted message
 * acted on only through the requester's own words, and two operations the planner now fills in (a new
 * subscription, usage recorded on one).
 */
import { describe, expect, it } from 'vitest';
import { sortOf, withoutExcluded } from '../../src/agent/builtin/qualifiers.ts';
import { NO_MENTIONS } from '../../src/agent/builtin/turn.ts';
import { parseRequest } from '../../src/agent/parse/parse-request.ts';
import { CHARGE_SORT_COLUMNS, CUSTOMER_SORT_COLUMNS, INVOICE_SORT_COLUMNS } from '../../src/connectors/connector.ts';
import { builtinPlannerOnEvalBusiness, reads, writes } from '../support/eval-business.ts';

describe('qualifiers: the order asked for, and what is ruled out', () => {
  it('reads a column and a direction among the listing’s own columns', () => {
    expect(sortOf('payments with the biggest refunds first', CHARGE_SORT_COLUMNS)).toBe('refunded_desc');
    expect(sortOf('their invoices ordered by due date, earliest first', INVOICE_SORT_COLUMNS)).toBe('due_asc');
    expect(sortOf('customers in france, lowest balance first', CUSTOMER_SORT_COLUMNS)).toBe('balance_asc');
    expect(sortOf('open invoices sorted by what is still owed, most first', INVOICE_SORT_COLUMNS)).toBe(
      'remaining_desc',
    );
  });

  it('leaves the order alone when none is asked for, or the listing has no such column', () => {
    expect(sortOf('all payments for hooli', CHARGE_SORT_COLUMNS)).toBeUndefined();
    expect(sortOf('customers, highest refunds first', CUSTOMER_SORT_COLUMNS)).toBeUndefined();
  });

  it('takes away what a request rules out, and nothing it asks for', () => {
    expect(withoutExcluded('open invoices, not the void ones')).not.toMatch(/void/);
    expect(withoutExcluded('usage for last month, not this one')).toMatch(/last month/);
    expect(withoutExcluded('usage for last month, not this one')).not.toMatch(/this one/);
    expect(withoutExcluded('invoices that are not paid')).toMatch(/not paid/);
  });
});

describe('clauses: a write ruled out, remarks and headers, sign-offs', () => {
  const clauses = (text: string) => parseRequest(text, NO_MENTIONS).clauses;

  it('keeps a ruled-out write apart from the instruction after a dash', () => {
    const found = clauses("Don't void that invoice yet — only show me what is left to pay on it");
    expect(found.map((clause) => clause.negated ?? false)).toEqual([true, false]);
  });

  it('drops a remark or a header before the instruction, and a sign-off after it', () => {
    expect(clauses('They were told something else by sales. Please explain their plan.').map((c) => c.text)).toEqual([
      'Please explain their plan.',
    ]);
    expect(clauses('Case 88 | Initech | Give them a $10 credit. Thanks!').map((c) => c.text)).toEqual([
      'Give them a $10 credit',
    ]);
  });
});

describe('the built-in planner on these classes', () => {
  const { ask } = builtinPlannerOnEvalBusiness();

  it('sorts and filters listings as asked, never by what is ruled out', async () => {
    const payments = await ask("show Hooli's payment history with the largest amounts first");
    expect(reads(payments.calls, 'payment_history').map((call) => call.input.sort)).toEqual(['amount_desc']);
    const invoices = await ask('Nova Studio Inc invoices that are open — not the paid ones');
    expect(reads(invoices.calls, 'list_invoices').map((call) => call.input.status)).toEqual(['open']);
    const usage = await ask('who went over their limits in the prior period? not the current one');
    expect(reads(usage.calls, 'usage_against_limits').map((call) => call.input.period)).toEqual(['previous']);
  }, 60_000);

  it('never proposes a write the request rules out, and runs the read it asks for instead', async () => {
    const answer = await ask("Don't cancel Hooli for now — just show me their subscriptions");
    expect(writes(answer.calls)).toEqual([]);
    const looked = answer.calls.filter((call) => /subscription/.test(call.operation) && !call.proposal);
    expect(looked.map((call) => call.input.customer)).toEqual(['Hooli']);
  }, 60_000);

  it('acts on the requester’s own words about a pasted message, for the company that signed it only', async () => {
    const signed = await ask(
      'Got this in the inbox: "Hello, this is Hooli. We are winding down and want to stop the service." Cancel it at the end of their period.',
    );
    const [cancel] = writes(signed.calls);
    expect(cancel?.operation).toBe('cancel_subscription');
    expect(cancel?.input.at_period_end).toBe(true);
    expect(cancel?.proposal?.preview.summary).toMatch(/Hooli/);
    // The quote is about another company, not from it: nothing is aimed at the company it names.
    const about = await ask(
      'Got this: "Our partner Globex told us you would stop their service today." Cancel it at renewal.',
    );
    expect(writes(about.calls)).toEqual([]);
    // Headers and a sign-off around the requester's own instruction.
    const credit = await ask(
      'Case 88 | Hooli | "Your invoice is late again, we want $100 back." Give them a $15 credit. Thanks!',
    );
    expect(writes(credit.calls).map((call) => [call.operation, call.input.amount])).toEqual([
      ['credit_customer', 1500],
    ]);
  }, 60_000);

  it('starts a subscription on the plan, interval, coupon and trial said', async () => {
    const answer = await ask('Start a new Basic subscription for Stark Industries, yearly, with a 30 day trial');
    const [start] = writes(answer.calls);
    expect(start?.operation).toBe('create_subscription');
    expect(start?.input.trial_days).toBe(30);
    expect(start?.proposal?.preview.summary).toMatch(/Basic/);
    expect(start?.proposal?.preview.summary).toMatch(/year/i);
  }, 60_000);

  it('records usage on the usage subscription, with the count and metric said', async () => {
    const answer = await ask("please log 2.5k api calls against Initech's usage plan");
    expect(writes(answer.calls).map((call) => [call.operation, call.input.metric, call.input.quantity])).toEqual([
      ['record_usage', 'api_calls', 2500],
    ]);
  }, 60_000);
});
