/**
 * A proposal's changes in words: one line per changed field, `field: before → after`, with every value written
 * out in full (an email, an address, a list). The conversation text and the CLI show these lines under the
 * summary, so a person confirms values they were shown, never a field name alone.
 */
import { personClock, personDate } from './person-time.ts';

const ISO_MOMENT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;

/** A moment in a card: "3 Nov 2026" at midnight UTC, otherwise "3 Nov 2026 14:05 UTC"; never an ISO string. */
function personMoment(at: Date): string {
  if (Number.isNaN(at.getTime())) return '—';
  const midnight = at.getUTCHours() === 0 && at.getUTCMinutes() === 0 && at.getUTCSeconds() === 0;
  return midnight ? personDate(at) : `${personDate(at)} ${personClock(at)} UTC`;
}

/** What these lines need of a proposal's preview (operations/define-operation.ts). */
interface Changes {
  summary: string;
  changes: readonly { field: string; from: unknown; to: unknown }[];
}

/** A changed value in words: nothing as "—", objects as `key: value` pairs, lists joined. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value instanceof Date) return personMoment(value);
  if (typeof value === 'string' && ISO_MOMENT.test(value)) return personMoment(new Date(value));
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(showValue).join(', ');
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).filter(
      ([, inner]) => inner !== undefined && inner !== null && inner !== '',
    );
    return fields.length === 0 ? '—' : fields.map(([key, inner]) => `${key}: ${showValue(inner)}`).join(', ');
  }
  return String(value);
}

/** One line per change: `field: before → after`. */
export function changeLines(preview: Pick<Changes, 'changes'>): string[] {
  return preview.changes.map((change) => `${change.field}: ${showValue(change.from)} → ${showValue(change.to)}`);
}

/** The summary and, below it, every change with its before and after. */
export function describeProposalChanges(preview: Changes, indent = '  '): string {
  return [preview.summary, ...changeLines(preview).map((line) => `${indent}${line}`)].join('\n');
}
