/**
 * A proposal's changes in words: one line per changed field, `field: before → after`, with every value written
 * out in full (an email, an address, a list). The conversation text and the CLI show these lines under the
 * summary, so a person confirms values they were shown, never a field name alone.
 */
import { DEFAULT_TIME_ZONE, personClock, personDate, zoneAbbreviation } from './person-time.ts';

const ISO_MOMENT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;

/**
 * A moment in a card, in the reader's zone with the zone named: "3 Nov 2026 19:35 GMT+5:30" ("… 14:05 UTC" when
 * the reader has none); never an ISO string. Midnight UTC is a calendar date (a period's edge, a due day), shown
 * as that date ("3 Nov 2026") whatever the zone, so a day does not move back in the Americas.
 */
function personMoment(at: Date, timeZone: string): string {
  if (Number.isNaN(at.getTime())) return '—';
  const midnight = at.getUTCHours() === 0 && at.getUTCMinutes() === 0 && at.getUTCSeconds() === 0;
  return midnight
    ? personDate(at)
    : `${personDate(at, timeZone)} ${personClock(at, timeZone)} ${zoneAbbreviation(at, timeZone)}`;
}

/** What these lines need of a proposal's preview (operations/define-operation.ts). */
interface Changes {
  summary: string;
  changes: readonly { field: string; from: unknown; to: unknown }[];
}

/** A changed value in words: nothing as "—", objects as `key: value` pairs, lists joined; moments in `timeZone`. */
export function showValue(value: unknown, timeZone = DEFAULT_TIME_ZONE): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value instanceof Date) return personMoment(value, timeZone);
  if (typeof value === 'string' && ISO_MOMENT.test(value)) return personMoment(new Date(value), timeZone);
  if (Array.isArray(value))
    return value.length === 0 ? '(none)' : value.map((item) => showValue(item, timeZone)).join(', ');
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).filter(
      ([, inner]) => inner !== undefined && inner !== null && inner !== '',
    );
    return fields.length === 0 ? '—' : fields.map(([key, inner]) => `${key}: ${showValue(inner, timeZone)}`).join(', ');
  }
  return String(value);
}

/** One line per change: `field: before → after` (moments in the reader's `timeZone`). */
export function changeLines(preview: Pick<Changes, 'changes'>, timeZone = DEFAULT_TIME_ZONE): string[] {
  return preview.changes.map(
    (change) => `${change.field}: ${showValue(change.from, timeZone)} → ${showValue(change.to, timeZone)}`,
  );
}

/** The summary and, below it, every change with its before and after. */
export function describeProposalChanges(preview: Changes, indent = '  ', timeZone = DEFAULT_TIME_ZONE): string {
  return [preview.summary, ...changeLines(preview, timeZone).map((line) => `${indent}${line}`)].join('\n');
}
