/** Times, dates and counts as a person reads them (src/domain/person-time.ts) and in a card's change lines. */
import { describe, expect, it } from 'vitest';
import { showValue } from '../../src/domain/change-lines.ts';
import { formatMoney } from '../../src/domain/money.ts';
import { personDate, personDuration, personTime, plural } from '../../src/domain/person-time.ts';

describe('person time', () => {
  const now = new Date('2026-12-03T15:10:00Z');

  it('says today, tomorrow and yesterday relative to the clock it is given, in the member time zone', () => {
    expect(personTime(new Date('2026-12-04T02:45:00Z'), now)).toBe('tomorrow at 02:45');
    expect(personTime('2026-12-03T09:00:00Z', now)).toBe('today at 09:00');
    expect(personTime('2026-12-02T23:59:00Z', now)).toBe('yesterday at 23:59');
    expect(personTime('2026-12-20T08:00:00Z', now)).toBe('20 Dec 2026 at 08:00');
    // 02:45 UTC on the 4th is still the 3rd in New York, and 21:45 there.
    expect(personTime('2026-12-04T02:45:00Z', now, 'America/New_York')).toBe('today at 21:45');
  });

  it('has one date format, the same month names on every ICU version', () => {
    expect(personDate('2026-09-09T00:00:00Z')).toBe('9 Sep 2026');
    expect(personDate(new Date('2026-11-03T10:00:00Z'))).toBe('3 Nov 2026');
  });

  it('counts and measures in words', () => {
    expect(plural(1, 'subscription')).toBe('1 subscription');
    expect(plural(87, 'subscription')).toBe('87 subscriptions');
    expect(plural(1200, 'customer')).toBe('1,200 customers');
    expect(personDuration(3 * 60_000)).toBe('3 minutes');
    expect(personDuration(60_000)).toBe('1 minute');
    expect(personDuration(24 * 3_600_000 - 5_000)).toBe('24 hours');
    expect(personDuration(5 * 86_400_000)).toBe('5 days');
  });

  it('never prints a negative zero amount', () => {
    expect(formatMoney({ amount: -0, currency: 'usd' })).toBe('$0.00');
    expect(formatMoney({ amount: 0 - 0 * -1, currency: 'eur' })).toBe('€0.00');
  });

  it('never shows a raw ISO string in a change line', () => {
    expect(showValue(new Date('2026-12-31T00:00:00Z'))).toBe('31 Dec 2026');
    expect(showValue('2026-12-31T14:05:00.000Z')).toBe('31 Dec 2026 14:05 UTC');
    expect(showValue({ cancel_at: '2027-01-01T00:00:00Z' })).toBe('cancel_at: 1 Jan 2027');
  });
});
