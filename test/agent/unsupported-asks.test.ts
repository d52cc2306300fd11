/**
 * Requests the built-in planner has no single operation for are answered with what Leash can do instead, never
 * with an unrelated read or a different write (issue 16, the newcomer misses of stop 30): a discount with no
 * coupon named asks for one, carrying the discount and its length into the example; a pause is said to be
 * impossible and is never proposed as a cancellation. Sentences written for this file.
 */
import { describe, expect, it } from 'vitest';
import { couponCode } from '../../src/agent/builtin/entities.ts';
import { NO_MENTIONS } from '../../src/agent/builtin/turn.ts';
import { spelledOut } from '../../src/agent/parse/intent-classifier.ts';
import { parseRequest } from '../../src/agent/parse/parse-request.ts';
import { builtinPlannerOnEvalBusiness, writes } from '../support/eval-business.ts';

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
    const found = clauses("Show Umbrella's invoices and, if you don't mind, their payment history too");
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
});
