/**
 * Times worded in a member's zone (issue 18): person-time around midnight in Asia/Kolkata and America/Los_Angeles,
 * across the US daylight-saving change, zone names checked, and a card's change lines in the reader's zone.
 */
import { describe, expect, it } from 'vitest';
import { changeLines } from '../../src/domain/change-lines.ts';
import { canonicalTimeZone, personTime, zoneAbbreviation } from '../../src/domain/person-time.ts';

describe("times in the member's zone", () => {
  const now = new Date('2026-11-03T12:00:00Z');
  it('around midnight: the same moment is tomorrow in Kolkata and today in Los Angeles', () => {
    const at = new Date('2026-11-03T19:15:00Z');
    expect(personTime(at, now, 'UTC')).toBe('today at 19:15');
    expect(personTime(at, now, 'Asia/Kolkata')).toBe('tomorrow at 00:45');
    expect(personTime(at, now, 'America/Los_Angeles')).toBe('today at 11:15');
    expect(zoneAbbreviation(at, 'Asia/Kolkata')).toBe('GMT+5:30');
  });
  it('across the daylight-saving change in Los Angeles (1 Nov 2026): PDT before, PST after', () => {
    const before = new Date('2026-10-31T16:00:00Z');
    const after = new Date('2026-11-02T16:00:00Z');
    expect(personTime(before, before, 'America/Los_Angeles')).toBe('today at 09:00');
    expect(personTime(after, after, 'America/Los_Angeles')).toBe('today at 08:00');
    expect(zoneAbbreviation(before, 'America/Los_Angeles')).toBe('PDT');
    expect(zoneAbbreviation(after, 'America/Los_Angeles')).toBe('PST');
  });
  it('accepts IANA zones only', () => {
    expect(canonicalTimeZone('america/los_angeles')).toBe('America/Los_Angeles');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    for (const bad of ['+05:30', 'Mars/Olympus', '', 'Europe/../x']) expect(canonicalTimeZone(bad)).toBeUndefined();
  });
  it("a card's change lines word a moment in the reader's zone and name it; a calendar date stays put", () => {
    const preview = {
      changes: [
        { field: 'trial end', from: null, to: '2026-11-03T19:15:00Z' },
        { field: 'period end', from: null, to: '2026-12-01T00:00:00Z' },
      ],
    };
    expect(changeLines(preview)).toEqual(['trial end: — → 3 Nov 2026 19:15 UTC', 'period end: — → 1 Dec 2026']);
    expect(changeLines(preview, 'Asia/Kolkata')).toEqual([
      'trial end: — → 4 Nov 2026 00:45 GMT+5:30',
      'period end: — → 1 Dec 2026',
    ]);
  });
});
