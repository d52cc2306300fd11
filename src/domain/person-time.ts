/**
 * Times as a person reads them: one date format everywhere ("3 Nov 2026"), times relative to the day the
 * reader is in ("today at 14:05", "tomorrow at 02:45"), in a time zone (the member's; UTC unless one is set).
 * Replies, cards and the CLI use these instead of raw ISO strings. Built on Intl: no dependency needed.
 */

/** The time zone when a member has none set. */
export const DEFAULT_TIME_ZONE = 'UTC';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const clockFormats = new Map<string, Intl.DateTimeFormat>();
const dayKeys = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    cache.set(timeZone, format);
  }
  return format;
}

/** An IANA zone's shape: "UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5" (no bare offsets). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;

/**
 * The canonical name of an IANA time zone Intl knows ("asia/kolkata" → "Asia/Kolkata"), or undefined when `value`
 * is not one (Intl.DateTimeFormat throws a RangeError on an unknown zone; offsets such as "+05:30" are refused).
 */
export function canonicalTimeZone(value: string): string | undefined {
  const name = value.trim();
  if (name.length > 64 || !ZONE_NAME.test(name)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-GB', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // Keep the name as the member chose it ("Asia/Kolkata", which ICU may resolve to its old alias "Asia/Calcutta"),
  // spelled as Intl lists it.
  const lower = name.toLowerCase();
  if (resolved.toLowerCase() === lower) return resolved;
  return knownZones().find((zone) => zone.toLowerCase() === lower) ?? name;
}

let zones: string[] | undefined;
function knownZones(): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones;
}

/** True when `timeZone` is an IANA zone Intl knows ("Europe/Paris", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== undefined;
}

/** The zone a member reads times in: their own, else the org's (when orgs have one), else UTC. */
export function readerTimeZone(member: { timeZone?: string | null }, orgTimeZone?: string | null): string {
  return member.timeZone || orgTimeZone || DEFAULT_TIME_ZONE;
}

/** A zone's short name at a moment, for a time shown with its zone: "IST", "PDT", "GMT+5:30", "UTC". */
export function zoneAbbreviation(at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 'UTC';
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((candidate) => candidate.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** A Date, an ISO string or epoch milliseconds as a Date; undefined when it is none of those. */
export function asDate(value: unknown): Date | undefined {
  const date =
    value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** "3 Nov 2026": the one date format of replies, cards and the CLI. */
export function personDate(at: Date | string, timeZone = DEFAULT_TIME_ZONE): string {
  const date = asDate(at);
  if (!date) return String(at);
  const parts = cached(dateFormats, timeZone, { day: 'numeric', month: 'numeric', year: 'numeric' }).formatToParts(
    date,
  );
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  // Month names spelled here: ICU's short English names vary between versions ("Sep" or "Sept").
  return `${Number(part('day'))} ${MONTHS[Number(part('month')) - 1]} ${part('year')}`;
}

/** "14:05" (24-hour clock). */
export function personClock(at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return cached(clockFormats, timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

function dayNumber(at: Date, timeZone: string): number {
  const parts = cached(dayKeys, timeZone, { year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / 86_400_000;
}

/**
 * A moment relative to `now` (the ledger's clock, so the two never disagree): "today at 14:05", "tomorrow at
 * 02:45", "yesterday at 09:00", otherwise "3 Nov 2026 at 14:05".
 */
export function personTime(at: Date | string, now: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const date = asDate(at);
  if (!date) return String(at);
  const days = dayNumber(date, timeZone) - dayNumber(now, timeZone);
  const day = days === 0 ? 'today' : days === 1 ? 'tomorrow' : days === -1 ? 'yesterday' : personDate(date, timeZone);
  return `${day} at ${personClock(date, timeZone)}`;
}

/** How far apart two moments are, in the largest whole unit that reads well: "3 minutes", "5 hours", "2 days". */
export function personDuration(milliseconds: number): string {
  const minutes = Math.round(Math.abs(milliseconds) / 60_000);
  if (minutes < 60) return plural(Math.max(minutes, 1), 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

/** "1 subscription", "87 subscriptions" (`many` for irregular plurals). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
