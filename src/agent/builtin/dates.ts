/**
 * Relative dates in requests ("last week", "in Q1", "since March 15", "the last 30 days") turned into the
 * inclusive day or month bounds operations take, against the billing system's "now". Weeks start on Monday;
 * everything is UTC, like the ledger.
 */
import * as chrono from 'chrono-node';

/** An inclusive window in operation terms (YYYY-MM or YYYY-MM-DD) and how to say it. */
export interface DateWindow {
  from: string;
  to: string;
  label: string;
}

const DAY_MS = 86_400_000;
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_PATTERN = `(${MONTHS.map((month) => `${month.slice(0, 3)}(?:${month.slice(3)})?`).join('|')})\\.?`;

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function month(year: number, index: number): string {
  const date = new Date(Date.UTC(year, index, 1));
  return date.toISOString().slice(0, 7);
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((candidate) => candidate.startsWith(name.slice(0, 3).toLowerCase()));
}

/** The most recent year in which month `index` (day `dayOfMonth`) is not after `now`. */
function latestYear(now: Date, index: number, dayOfMonth = 1): number {
  const year = now.getUTCFullYear();
  return Date.UTC(year, index, dayOfMonth) > now.getTime() ? year - 1 : year;
}

/** Finds the first relative or named period in `text`; undefined when there is none. */
export function parseDateWindow(text: string, now: Date): DateWindow | undefined {
  const lower = text.toLowerCase();
  const today = startOfDay(now);
  const weekday = (today.getUTCDay() + 6) % 7; // Monday = 0
  const thisMonday = new Date(today.getTime() - weekday * DAY_MS);
  const year = today.getUTCFullYear();
  const monthNow = today.getUTCMonth();

  let match = /\b(?:last|past|previous)\s+(\d{1,3})\s+(day|week|month)s?\b/.exec(lower);
  if (match) {
    const count = Number(match[1]);
    const unit = match[2];
    if (unit === 'month') {
      return { from: month(year, monthNow - count + 1), to: month(year, monthNow), label: `the last ${count} months` };
    }
    const days = unit === 'week' ? count * 7 : count;
    return {
      from: day(new Date(today.getTime() - (days - 1) * DAY_MS)),
      to: day(today),
      label: `the last ${count} ${unit}s`,
    };
  }
  if (/\b(?:last|previous|past)\s+week\b/.test(lower)) {
    const from = new Date(thisMonday.getTime() - 7 * DAY_MS);
    return { from: day(from), to: day(new Date(thisMonday.getTime() - DAY_MS)), label: 'last week' };
  }
  if (/\bthis\s+week\b/.test(lower)) return { from: day(thisMonday), to: day(today), label: 'this week' };
  if (/\b(?:last|previous|past)\s+month\b/.test(lower))
    return { from: month(year, monthNow - 1), to: month(year, monthNow - 1), label: 'last month' };
  if (/\bthis\s+month\b/.test(lower))
    return { from: month(year, monthNow), to: month(year, monthNow), label: 'this month' };
  if (/\byesterday\b/.test(lower)) {
    const yesterday = day(new Date(today.getTime() - DAY_MS));
    return { from: yesterday, to: yesterday, label: 'yesterday' };
  }
  if (/\btoday\b/.test(lower)) return { from: day(today), to: day(today), label: 'today' };
  // "03.11.2026" (day.month.year, as most of the world writes it).
  const dotted = /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/.exec(lower);
  if (dotted) {
    const date = new Date(Date.UTC(Number(dotted[3]), Number(dotted[2]) - 1, Number(dotted[1])));
    if (!Number.isNaN(date.getTime())) return { from: day(date), to: day(date), label: day(date) };
  }
  if (/\b(?:the\s+)?week\s+before\s+last\b/.test(lower)) {
    const from = new Date(thisMonday.getTime() - 14 * DAY_MS);
    return { from: day(from), to: day(new Date(thisMonday.getTime() - 8 * DAY_MS)), label: 'the week before last' };
  }
  if (/\b(?:last|past|previous)\s+fortnight\b/.test(lower))
    return { from: day(new Date(today.getTime() - 13 * DAY_MS)), to: day(today), label: 'the last fortnight' };
  if (/\b(?:this|current)\s+quarter\b|\bquarter\s+to\s+date\b|\bqtd\b/.test(lower))
    return { from: month(year, monthNow - (monthNow % 3)), to: day(today), label: 'this quarter' };
  if (/\b(?:last|previous|past)\s+quarter\b/.test(lower))
    return {
      from: month(year, monthNow - (monthNow % 3) - 3),
      to: month(year, monthNow - (monthNow % 3) - 1),
      label: 'last quarter',
    };
  if (
    /\b(?:this\s+year|year\s+to\s+date|ytd|since\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year)\b/.test(lower)
  )
    return { from: month(year, 0), to: month(year, monthNow), label: 'this year' };
  if (/\blast\s+year\b/.test(lower)) return { from: month(year - 1, 0), to: month(year - 1, 11), label: 'last year' };

  match = /\b(?:in\s+|from\s+|during\s+)?q([1-4])(?:\s+(\d{4}))?\b/.exec(lower);
  if (match) {
    const quarter = Number(match[1]);
    const first = (quarter - 1) * 3;
    const quarterYear = match[2] ? Number(match[2]) : latestYear(now, first);
    return {
      from: month(quarterYear, first),
      to: month(quarterYear, first + 2),
      label: `Q${quarter} ${quarterYear}`,
    };
  }
  match = new RegExp(`\\bsince\\s+${MONTH_PATTERN}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`).exec(lower);
  if (match?.[1]) {
    const index = monthIndex(match[1]);
    const dayOfMonth = Number(match[2]);
    const from = new Date(Date.UTC(latestYear(now, index, dayOfMonth), index, dayOfMonth));
    return { from: day(from), to: day(today), label: `since ${day(from)}` };
  }
  match = new RegExp(`\\bsince\\s+${MONTH_PATTERN}(?:\\s+(\\d{4}))?\\b`).exec(lower);
  if (match?.[1]) {
    const index = monthIndex(match[1]);
    const fromYear = match[2] ? Number(match[2]) : latestYear(now, index);
    return { from: month(fromYear, index), to: day(today), label: `since ${month(fromYear, index)}` };
  }
  match = /\b(?:since|from)\s+(\d{4}-\d{2}-\d{2})\b/.exec(lower);
  if (match?.[1]) return { from: match[1], to: day(today), label: `since ${match[1]}` };
  // A month named on its own ("in October", "mrr for september", "september invoices"), not a day of it; "may"
  // only after "in", "for", "during" or "of".
  match = new RegExp(
    `\\b(?:(?:in|for|during|of)\\s+|(?!may\\b))${MONTH_PATTERN}(?:\\s+(\\d{4}))?\\b(?!\\s*\\d{1,2}\\b)`,
  ).exec(lower);
  if (match?.[1]) {
    const index = monthIndex(match[1]);
    const monthYear = match[2] ? Number(match[2]) : latestYear(now, index);
    const key = month(monthYear, index);
    return { from: key, to: key, label: key };
  }
  return chronoWindow(text, now);
}

/**
 * What the patterns above do not cover ("since the 3rd", "between Oct 3 and Oct 10", "after last Friday"), read
 * by chrono-node against the ledger's clock: a range is taken as written; a single day after "since", "from" or
 * "after" runs to today; any other single day is that day.
 */
function chronoWindow(written: string, now: Date): DateWindow | undefined {
  // "the 3rd" is this month's 3rd (last month's when that is still to come); "between A and B" is a range.
  const text = written
    .replace(
      /\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/gi,
      (_whole, digits: string) => {
        const dayOfMonth = Number(digits);
        const month = now.getUTCDate() >= dayOfMonth ? now.getUTCMonth() : now.getUTCMonth() - 1;
        const date = new Date(Date.UTC(now.getUTCFullYear(), month, dayOfMonth));
        return MONTHS[date.getUTCMonth()]
          ? `${MONTHS[date.getUTCMonth()]} ${dayOfMonth} ${date.getUTCFullYear()}`
          : _whole;
      },
    )
    .replace(/\bbetween\s+(.+?)\s+and\s+/i, '$1 - ');
  const [found] = chrono.parse(text, { instant: now, timezone: 'UTC' }, { forwardDate: false });
  if (!found) return undefined;
  const from = day(found.start.date());
  if (from > day(now)) return undefined;
  const before = text.slice(Math.max(0, found.index - 12), found.index).toLowerCase();
  const to = found.end ? day(found.end.date()) : /\b(?:since|from|after|starting)\s+$/.test(before) ? day(now) : from;
  return { from, to: to < from ? from : to, label: found.text };
}

/** A specific day named in text ("March 15", "15 March", "2026-03-15"), as YYYY-MM-DD, or undefined. */
export function parseDay(text: string, now: Date): string | undefined {
  const lower = text.toLowerCase();
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(lower);
  if (iso?.[1]) return iso[1];
  const named =
    new RegExp(`\\b${MONTH_PATTERN}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`).exec(lower) ??
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH_PATTERN}`).exec(lower);
  if (!named) return undefined;
  const [monthName, dayText] = /^\d/.test(named[1] ?? '') ? [named[2], named[1]] : [named[1], named[2]];
  const index = monthIndex(monthName ?? '');
  const dayOfMonth = Number(dayText);
  if (index < 0 || dayOfMonth < 1 || dayOfMonth > 31) return undefined;
  return day(new Date(Date.UTC(latestYear(now, index, dayOfMonth), index, dayOfMonth)));
}
