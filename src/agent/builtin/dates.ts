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

  const range = explicitRange(lower, now);
  if (range) return range;
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

/** Ordinal day words, "first" to "thirty-first", with their numbers. */
const ORDINAL_WORDS: Record<string, number> = (() => {
  const units = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
  const teens = ['tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth'];
  const words: Record<string, number> = {};
  units.forEach((word, index) => {
    words[word] = index + 1;
    words[`twenty-${word}`] = index + 21;
    words[`twenty ${word}`] = index + 21;
  });
  [...teens, 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth'].forEach((word, index) => {
    words[word] = index + 10;
  });
  words.thirtieth = 30;
  words['thirty-first'] = 31;
  words['thirty first'] = 31;
  return words;
})();
const ORDINAL = `(?:${Object.keys(ORDINAL_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const QUARTER_WORDS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: 4 };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** One end of a written range: the first and last day it covers, and whether it named its year. */
interface Endpoint {
  start: Date;
  end: Date;
  /** 'day' or 'month' granularity, for how the bound is written. */
  unit: 'day' | 'month';
  yearGiven: boolean;
  index: number;
  length: number;
}

const EDGE = String.raw`(?:the\s+)?(?:(start|beginning|first\s+day|end|last\s+day|close)\s+of\s+(?:the\s+)?)?`;
const ENDPOINT = new RegExp(
  [
    String.raw`(\d{4})-(\d{2})-(\d{2})`,
    String.raw`(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?(?![\d./])`,
    `${MONTH_PATTERN}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?(?![\\d:])`,
    `(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_PATTERN}(?:,?\\s+(\\d{4}))?`,
    `(?:the\\s+)?(${ORDINAL})\\s+(?:of\\s+)?${MONTH_PATTERN}(?:,?\\s+(\\d{4}))?`,
    `${EDGE}q([1-4])(?:\\s+(\\d{4}))?`,
    `${EDGE}(first|second|third|fourth|last)\\s+quarter(?:\\s+(?:of\\s+)?(\\d{4}))?`,
    `${EDGE}${MONTH_PATTERN}(?:\\s+(\\d{4}))?`,
    '(today|now|date|present|yesterday)',
    String.raw`(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?`,
  ]
    .map((part) => `(?:${part})`)
    .join('|')
    .replace(/^/, String.raw`\b(?:`)
    .concat(String.raw`)\b`),
  'g',
);

/** Every date-like expression in `lower`, as the days it covers. */
function endpoints(lower: string, now: Date): Endpoint[] {
  const today = startOfDay(now);
  const found: Endpoint[] = [];
  const dayPoint = (date: Date, yearGiven: boolean, match: RegExpExecArray) =>
    found.push({ start: date, end: date, unit: 'day', yearGiven, index: match.index, length: match[0].length });
  const monthsPoint = (
    first: Date,
    last: Date,
    edge: string | undefined,
    yearGiven: boolean,
    match: RegExpExecArray,
  ) => {
    const startEdge = edge && /^(?:start|beginning|first)/.test(edge);
    const endEdge = edge && !startEdge;
    const lastDay = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 0));
    found.push({
      start: endEdge ? lastDay : first,
      end: startEdge ? first : lastDay,
      unit: startEdge || endEdge ? 'day' : 'month',
      yearGiven,
      index: match.index,
      length: match[0].length,
    });
  };
  const slashes: RegExpExecArray[] = [];
  for (const match of lower.matchAll(ENDPOINT)) {
    const m = match as RegExpExecArray;
    const g = (n: number) => m[n];
    if (g(1)) dayPoint(new Date(Date.UTC(Number(g(1)), Number(g(2)) - 1, Number(g(3)))), true, m);
    else if (g(4)) slashes.push(m);
    else if (g(7)) {
      const index = monthIndex(g(7) ?? '');
      const dayOfMonth = Number(g(8));
      const year = g(9) ? Number(g(9)) : latestYear(now, index, dayOfMonth);
      if (dayOfMonth >= 1 && dayOfMonth <= 31) dayPoint(new Date(Date.UTC(year, index, dayOfMonth)), !!g(9), m);
    } else if (g(10) || g(13)) {
      const dayOfMonth = g(10) ? Number(g(10)) : (ORDINAL_WORDS[g(13)?.replace(/\s+/g, ' ') ?? ''] ?? 0);
      const name = g(10) ? g(11) : g(14);
      const yearText = g(10) ? g(12) : g(15);
      const index = monthIndex(name ?? '');
      const year = yearText ? Number(yearText) : latestYear(now, index, dayOfMonth);
      if (dayOfMonth >= 1 && dayOfMonth <= 31) dayPoint(new Date(Date.UTC(year, index, dayOfMonth)), !!yearText, m);
    } else if (g(17) || g(20)) {
      const quarter = g(17) ? Number(g(17)) : (QUARTER_WORDS[g(20) ?? ''] ?? 1);
      const yearText = g(17) ? g(18) : g(21);
      const first = (quarter - 1) * 3;
      const year = yearText ? Number(yearText) : latestYear(now, first);
      monthsPoint(
        new Date(Date.UTC(year, first, 1)),
        new Date(Date.UTC(year, first + 2, 1)),
        g(16) ?? g(19),
        !!yearText,
        m,
      );
    } else if (g(23)) {
      const index = monthIndex(g(23) ?? '');
      if (
        g(23) === 'may' &&
        !g(22) &&
        !/\b(?:in|from|since|of|to|until|through|thru|till|and|-)\s+$/.test(lower.slice(0, m.index))
      )
        continue;
      const year = g(24) ? Number(g(24)) : latestYear(now, index);
      const first = new Date(Date.UTC(year, index, 1));
      monthsPoint(first, first, g(22), !!g(24), m);
    } else if (g(25)) {
      const date = g(25) === 'yesterday' ? new Date(today.getTime() - DAY_MS) : today;
      dayPoint(date, true, m);
    } else if (g(26)) {
      const target = WEEKDAYS.indexOf(g(26)?.slice(0, 3) ?? '');
      const back = ((today.getUTCDay() + 6) % 7) - target;
      dayPoint(new Date(today.getTime() - (back >= 0 ? back : back + 7) * DAY_MS), true, m);
    }
  }
  // "01/10 until 15/10": day first unless a first number above 12 rules it out the other way.
  const monthFirst = slashes.some((m) => Number(m[5]) > 12) && !slashes.some((m) => Number(m[4]) > 12);
  for (const m of slashes) {
    const [dayText, monthText] = monthFirst ? [m[5], m[4]] : [m[4], m[5]];
    const dayOfMonth = Number(dayText);
    const index = Number(monthText) - 1;
    if (index < 0 || index > 11 || dayOfMonth < 1 || dayOfMonth > 31) continue;
    const year = m[6] ? Number(m[6]) : latestYear(now, index, dayOfMonth);
    dayPoint(new Date(Date.UTC(year, index, dayOfMonth)), !!m[6], m);
  }
  return found.sort((a, b) => a.index - b.index);
}

/** What may stand between the two ends of a range: "to", "until", "through to", "and ending", "-", "..". */
const BETWEEN_ENDS =
  /^\s*,?\s*(?:(?:and\s+)?(?:to|until|till|til|through(?:\s+to)?|thru|up\s+to|ending(?:\s+(?:on|with))?)|and|-|–|—|\.\.)\s*(?:the\s+)?$/;
/** What may open a range or a start-only window: "from", "since", "between", "commencing", "starting". */
const OPENS = /\b(?:from|since|between|commencing|starting(?:\s+(?:on|from))?|beginning|after)\s+(?:the\s+)?$/;

/**
 * A range written with both ends ("from July until September", "between 01.10.2026 and 15.10.2026", "the first of
 * August to the thirty-first of October", "2026-10-01..2026-10-31", "from the start of Q2 through the end of
 * October", "from 1st Oct till date"), or a start alone after "since"/"from" ("since the first of October", "since
 * tues"), which runs to today. Undefined when the text has neither.
 */
export function explicitRange(lower: string, now: Date): DateWindow | undefined {
  const points = endpoints(lower, now);
  const today = startOfDay(now);
  const bound = (date: Date, unit: 'day' | 'month') => (unit === 'month' ? date.toISOString().slice(0, 7) : day(date));
  for (let index = 0; index + 1 < points.length; index += 1) {
    const first = points[index] as Endpoint;
    const second = points[index + 1] as Endpoint;
    const gap = lower.slice(first.index + first.length, second.index);
    if (!BETWEEN_ENDS.test(gap)) continue;
    // "and" alone joins two months or two days only when the pair reads as one period ("September and October").
    if (
      /^\s*and\s*$/.test(gap) &&
      !/\b(?:between|from|months?\s+of|for|in|over|during)\s+(?:the\s+)?$/.test(lower.slice(0, first.index))
    )
      continue;
    let start = first.start;
    let end = second.end;
    // A year written on one end only ("from May through October 2026") is the other's too.
    if (second.yearGiven && !first.yearGiven)
      start = new Date(Date.UTC(second.end.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
    if (end < start) end = new Date(Date.UTC(end.getUTCFullYear() + 1, end.getUTCMonth(), end.getUTCDate()));
    if (end > today && second.unit === 'day') end = end.getTime() > today.getTime() + 366 * DAY_MS ? today : end;
    const from = bound(start, first.unit);
    const to = bound(
      second.unit === 'month' ? new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 1)) : end,
      second.unit,
    );
    return { from, to, label: `${from} – ${to}` };
  }
  for (const point of points) {
    if (point.unit !== 'day' || !OPENS.test(lower.slice(0, point.index))) continue;
    if (/\bbetween\s+(?:the\s+)?$/.test(lower.slice(0, point.index))) continue;
    if (point.start > today) continue;
    return { from: day(point.start), to: day(today), label: `since ${day(point.start)}` };
  }
  return undefined;
}
