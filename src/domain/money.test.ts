/** The rounding rules of docs/money.md, with its examples. */
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocate,
  formatMoney,
  money,
  mulDiv,
  parseMajorUnits,
  percentOf,
  roundHalfAwayFromZero,
  toCurrency,
} from './money.ts';

describe('money', () => {
  it('a derived amount rounds half away from zero, exactly', () => {
    expect(percentOf(999, 2000)).toBe(200); // 20% of $9.99 = 199.8 cents
    expect(percentOf(50, 1900)).toBe(10); // 19% of €0.50 = 9.5 cents
    expect(percentOf(-50, 1900)).toBe(-10);
    expect(roundHalfAwayFromZero(-2.5)).toBe(-3);
    expect(roundHalfAwayFromZero(2.4999)).toBe(2);
    expect(mulDiv(2900, 15, 30)).toBe(1450); // half a month of $29.00
    expect(mulDiv(1, 1, 3)).toBe(0);
    expect(mulDiv(1, 2, 3)).toBe(1);
    // Exact where floats are not: 0.1 + 0.2 style errors cannot appear.
    expect(mulDiv(Number.MAX_SAFE_INTEGER, 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(mulDiv(4_503_599_627_370_497, 3, 3)).toBe(4_503_599_627_370_497);
  });

  it('splitting uses the largest remainder, so the parts add back up', () => {
    expect(allocate(10_000, [1, 1, 1])).toEqual([3334, 3333, 3333]);
    expect(allocate(-10_000, [1, 1, 1])).toEqual([-3334, -3333, -3333]);
    expect(allocate(101, [50, 30, 20])).toEqual([51, 30, 20]);
    for (const total of [0, 1, 7, 999, 123_457]) {
      const parts = allocate(total, [3, 5, 7, 11]);
      expect(parts.reduce((sum, part) => sum + part, 0)).toBe(total);
    }
    expect(() => allocate(100, [0, 0])).toThrow(RangeError);
  });

  it('amounts are integer minor units of a supported currency', () => {
    expect(money(2500, 'USD')).toEqual({ amount: 2500, currency: 'usd' });
    expect(() => money(12.5, 'usd')).toThrow(RangeError);
    expect(() => money(Number.NaN, 'usd')).toThrow(RangeError);
    expect(() => money(2 ** 60, 'usd')).toThrow(RangeError);
    expect(() => toCurrency('xyz')).toThrow(RangeError);
    expect(() => addMoney(money(1, 'usd'), money(1, 'eur'))).toThrow(/currency mismatch/);
  });

  it('zero-decimal yen: major units are minor units, and no fractions are accepted', () => {
    expect(parseMajorUnits('1,000', 'jpy')).toBe(1000);
    expect(parseMajorUnits('12.5', 'jpy')).toBeUndefined();
    expect(parseMajorUnits('12.34', 'usd')).toBe(1234);
    expect(parseMajorUnits('12.345', 'usd')).toBeUndefined();
    expect(parseMajorUnits('twelve', 'usd')).toBeUndefined();
    expect(formatMoney(money(500, 'jpy'))).toBe('¥500');
    expect(formatMoney(money(124_500, 'usd'))).toBe('$1,245.00');
    expect(formatMoney(money(299_900, 'inr'))).toBe('₹2,999.00');
  });
});
