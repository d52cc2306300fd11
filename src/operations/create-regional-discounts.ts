/**
 * create_regional_discounts: purchasing-power discounts by country ("40% off for India, 35% for Brazil"),
 * one country-restricted coupon each (kind billing.configure), written with keys derived from the proposal's.
 */
import { z } from 'zod';
import { badInput, LeashError } from '../domain/errors.ts';
import { defineWrite } from './define-operation.ts';
import { writeContextFields } from './write-fields.ts';

/** Input of create_regional_discounts. */
export const createRegionalDiscountsInput = z
  .object({
    discounts: z
      .array(
        z
          .object({
            country: z.string().regex(/^[A-Z]{2}$/, 'an ISO country code like IN'),
            percent_off: z.number().min(1).max(90),
          })
          .strict(),
      )
      .min(1)
      .max(50),
    duration: z.enum(['once', 'repeating', 'forever']).default('forever'),
    duration_in_months: z.number().int().min(1).max(60).optional(),
    /** Coupon codes are PREFIX-COUNTRY-PERCENT, e.g. PPP-IN-40. */
    code_prefix: z
      .string()
      .regex(/^[A-Z0-9]{2,12}$/)
      .default('PPP'),
    ...writeContextFields,
  })
  .strict();

/** The coupon code for one country. */
export function regionalCode(prefix: string, country: string, percent: number): string {
  return `${prefix}-${country}-${String(percent).replace('.', '_')}`;
}

/** Creates one country-restricted coupon per entry. */
export const createRegionalDiscounts = defineWrite({
  name: 'create_regional_discounts',
  description:
    'Create regional (purchasing-power) discounts: one coupon per country, usable only by customers in that country, e.g. 40% off for IN, 35% for BR.',
  kind: 'billing.configure',
  input: createRegionalDiscountsInput,
  destructive: false,
  async facts(_context, input, connector) {
    const countries = input.discounts.map((discount) => discount.country);
    if (new Set(countries).size !== countries.length) throw badInput('discounts', 'each country may appear once');
    if (input.duration === 'repeating' && !input.duration_in_months)
      throw badInput('duration_in_months', 'a repeating discount needs duration_in_months');
    const codes = input.discounts.map((discount) =>
      regionalCode(input.code_prefix, discount.country, discount.percent_off),
    );
    for (const code of codes)
      if (await connector.getCoupon(code)) throw new LeashError('conflict', `coupon ${code} already exists`);
    return {
      decision: { customerIds: [], targetCount: 0, reversible: true },
      preview: {
        summary: `Create ${codes.length} regional discount(s): ${input.discounts
          .map((discount) => `${discount.percent_off}% off in ${discount.country}`)
          .join(', ')} (${input.duration})`,
        changes: codes.map((code) => ({ field: 'coupon', from: null, to: code })),
        money: null,
        customers: [],
        targets: codes,
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: { codes },
    };
  },
  async execute(input, connector, idempotencyKey) {
    const coupons = [];
    for (const discount of input.discounts) {
      const code = regionalCode(input.code_prefix, discount.country, discount.percent_off);
      coupons.push(
        await connector.createCoupon(
          {
            code,
            name: `${discount.percent_off}% off in ${discount.country}`,
            percentOffBps: Math.round(discount.percent_off * 100),
            duration: input.duration,
            ...(input.duration_in_months ? { durationInMonths: input.duration_in_months } : {}),
            countries: [discount.country],
          },
          { idempotencyKey: `${idempotencyKey}:${code}` },
        ),
      );
    }
    return { coupons };
  },
});
