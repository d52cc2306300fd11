/** Parsing of CLI option values, failing as bad input (exit 2) with the option named. */
import { badInput } from '../domain/errors.ts';

/** Parses a whole number option. */
export function parseIntegerOption(
  name: string,
  value: string,
  minimum = 1,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^\d+$/.test(value.trim())) throw badInput(`--${name}`, `expected a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < minimum || parsed > maximum) throw badInput(`--${name}`, `must be between ${minimum} and ${maximum}`);
  return parsed;
}

/** Parses a date option: YYYY-MM-DD or a full ISO timestamp (UTC). */
export function parseDateOption(name: string, value: string): Date {
  const text = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const date = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw badInput(`--${name}`, `expected a date like 2026-03-15, got "${value}"`);
  }
  return date;
}
