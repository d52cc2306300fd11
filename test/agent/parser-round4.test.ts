/**
 * Request-parser fixes by class of miss (issue 16, fourth round: stop 30's newcomer misses and v7's classes, so v7
 * is no longer held out), each tested with sentences written for this file: requests with no single operation (a
 * discount with no coupon named, a pause) answered with what Leash can do instead, never with an unrelated read or
 * a different write; politeness and asides that are no condition and no clause; an amount's comma that swallowed
 * the next instruction; a remark glued to an instruction; billing shorthand; superlatives and caps on listings; a
 * new customer's name written before its address.
 */
import { describe, expect, it } from 'vitest';
import { countOf, couponCode } from '../../src/agent/builtin/entities.ts';
import { sortOf } from '../../src/agent/builtin/qualifiers.ts';
import { NO_MENTIONS } from '../../src/agent/builtin/turn.ts';
import { spelledOut } from '../../src/agent/parse/intent-classifier.ts';
import { parseRequest } from '../../src/agent/parse/parse-request.ts';
import { CUSTOMER_SORT_COLUMNS, INVOICE_SORT_COLUMNS } from '../../src/connectors/connector.ts';
import { builtinPlannerOnEvalBusiness, reads, writes } from '../support/eval-business.ts';

describe('a discount or a pause asked for in words (eval business)', () => {
  const { ask } = builtinPlannerOnEvalBusiness('sam@northwind.test');

  it.each([
    ['give Initech 15% off for 3 months', /15% off for 3 months/, 'Initech'],
    ['Hooli should get 25 percent off their next 2 invoices', /25% off for 2 months/, 'Hooli'],
    ['can you knock 10% off Globex?', /10% off once/, 'Globex'],
  ])('"%s" asks which coupon, with the discount in the example', async (text, discount, name) => {
    const turn = await ask(text);
    expect(writes(turn.calls)).toEqual([]);
    expect(turn.reply).toMatch(/no coupon was named, so nothing was proposed/);
    expect(turn.reply).toMatch(discount);
    expect(turn.reply).toContain(`to ${name}"`);
    expect(turn.calls.map((call) => call.operation)).not.toContain('get_customer');
  });

  it.each([
    "pause Initech's subscription until January",
    'Please freeze Hooli for two months, they are restructuring',
    'could we put Globex on hold for a month?',
    'Hooli wants to skip their next invoice',
  ])('"%s" says there is no pause and proposes nothing', async (text) => {
    const turn = await ask(text);
    expect(writes(turn.calls)).toEqual([]);
    expect(turn.calls.map((call) => call.operation)).not.toContain('cancel_subscription');
    expect(turn.reply).toMatch(/cannot pause or freeze a subscription, so nothing was proposed/);
  });

  it('a cancellation that mentions a pause is still a cancellation', async () => {
    const turn = await ask('Cancel Initech at the end of the period instead of pausing it');
    expect(turn.reply).not.toMatch(/cannot pause/);
    expect(turn.calls.map((call) => call.operation)).toContain('cancel_subscription');
  });

  it.each([
    [
      'Could you set up a new customer? Marlow & Finch Ltd, accounts@marlowfinch.example, UK',
      'Marlow & Finch Ltd',
      'GB',
    ],
    ['add customer Blue Harbor Trading (ap@blueharbor.example), Germany', 'Blue Harbor Trading', 'DE'],
    ['Create a new customer with email gavin@hooli.com', 'Hooli', 'US'],
  ])('a new customer "%s" is named as written before the address, else from it', async (text, name, country) => {
    const [proposal] = writes((await ask(text)).calls);
    expect(proposal?.operation).toBe('create_customer');
    expect(proposal?.input).toMatchObject({ name, country });
  });

  it('reads a code after "discount" only when it looks like one', () => {
    expect(couponCode('apply the discount SPRING25 to Initech')).toBe('SPRING25');
    expect(couponCode('apply discount LOYALTY to Initech')).toBe('LOYALTY');
    expect(couponCode('give Initech a discount for 3 months')).toBeUndefined();
    expect(couponCode('a discount of 20% for Hooli')).toBeUndefined();
  });
});

describe('politeness and amounts do not glue or condition two requests', () => {
  const clauses = (text: string) =>
    parseRequest(text, NO_MENTIONS).clauses.map((clause) => ({
      text: clause.text.trim(),
      condition: clause.condition,
      intent: clause.intents[0]?.intent,
    }));

  it('"if you don\'t mind" and "if it\'s not too much trouble" are not conditions to check', () => {
    const found = clauses("Show Umbrella's invoices and, if you don't mind, show their payment history too");
    expect(found.map((clause) => clause.condition)).toEqual([undefined, undefined]);
    expect(found.map((clause) => clause.intent)).toEqual(['list_invoices', 'payment_history']);
    expect(clauses("if it's not too much trouble, list the overdue invoices")[0]).toMatchObject({
      condition: undefined,
      intent: 'list_invoices',
    });
    // A real condition stays one.
    expect(clauses('Void INV-000042 if it is still open').at(-1)?.condition).toBe('it is still open');
  });

  it('an amount ending in a comma does not swallow the "and then" after it', () => {
    const found = clauses('Credit Umbrella $15, and then let me know what their next invoice will be');
    expect(found.map((clause) => clause.intent)).toEqual(['credit_customer', 'upcoming_invoices']);
  });

  it('spells out billing shorthand before classifying, whole words only', () => {
    expect(spelledOut('pmt hist for entcustomer, + thier open INVS')).toBe(
      'payment history for entcustomer, + their open invoices',
    );
    expect(spelledOut('subway invoices')).toBe('subway invoices');
    const [clause] = clauses('pymts for Umbrella pls');
    expect(clause?.intent).toBe('payment_history');
  });

  it("a remark glued to an instruction keeps the instruction's reading, and an aside in brackets is not the ask", () => {
    expect(clauses('Pull up INV-000321 and its payments; the amount seems odd to me.')).toMatchObject([
      { intent: 'get_invoice' },
    ]);
    expect(clauses('Any double charges this quarter (a rough list is fine)?')).toMatchObject([
      { intent: 'find_double_charges' },
    ]);
  });

  it('"if there are any" is no condition', () => {
    expect(clauses('List the uncollectible invoices, if there are any.')[0]).toMatchObject({ condition: undefined });
  });
});

describe('listing qualifiers said loosely', () => {
  it('a superlative before what is listed orders it', () => {
    expect(sortOf('the three biggest invoices of last month', INVOICE_SORT_COLUMNS)).toBe('total_desc');
    expect(sortOf('our smallest open invoices', INVOICE_SORT_COLUMNS)).toBe('total_asc');
    expect(sortOf('the newest customers in brazil', CUSTOMER_SORT_COLUMNS)).toBe('created_desc');
    expect(sortOf('invoices from the largest region', INVOICE_SORT_COLUMNS)).toBeUndefined();
  });

  it('"just 10" caps a listing; "only 10 dollars" does not', () => {
    expect(countOf('failed payments, just 10')).toBe(10);
    expect(countOf('at most 20 invoices please')).toBe(20);
    expect(countOf('refund only 10 dollars')).toBeUndefined();
    expect(countOf('only 30 days back')).toBeUndefined();
  });
});

describe('listings on the eval business', () => {
  const { ask } = builtinPlannerOnEvalBusiness('fiona@northwind.test');

  it('"voided" filters on void; "largest" sorts by total; "just 5" caps', async () => {
    const turn = await ask('Could I see our largest voided invoices? Just 5 please.');
    const [listing] = reads(turn.calls, 'list_invoices');
    expect(listing?.input).toMatchObject({ status: 'void', sort: 'total_desc', limit: 5 });
    // "Just" at the start of a sentence is no customer.
    expect(listing?.input).not.toHaveProperty('customer');
  });
});

describe('what a payment or a one-off invoice is for, read from the right words (eval business)', () => {
  const { ask } = builtinPlannerOnEvalBusiness('fiona@northwind.test');

  it('a bank transfer\'s reference is the one after "ref", never the amount after "transfer"', async () => {
    const [proposal] = writes((await ask('log the bank transfer 29,00 usd for INV-001359, ref BK-20931 thx')).calls);
    expect(proposal?.operation).toBe('record_payment');
    expect(proposal?.input).toMatchObject({ reference: 'BK-20931', amount: 2900 });
  });

  it('an invoice is for what follows the amount, not for the customer; "payable within" sets the due days', async () => {
    const [proposal] = writes(
      (await ask('Please raise an invoice for Hooli: USD 750.00 for data migration, payable within 21 days.')).calls,
    );
    expect(proposal?.operation).toBe('create_invoice');
    expect(proposal?.input).toMatchObject({
      lines: [{ description: 'data migration', amount: 75000, quantity: 1 }],
      days_until_due: 21,
    });
  });
});
