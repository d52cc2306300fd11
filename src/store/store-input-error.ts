/**
 * PostgreSQL errors a request's values cause (SQLSTATE class 22 "data exception" and the nesting limit), as bad
 * input: the last line of defence behind the input checks, so a value the store refuses is a 400 / exit 2, never an
 * internal error, and the database's own message (table names, SQL) never reaches an answer.
 */
import { LeashError } from '../domain/errors.ts';

/** SQLSTATEs caused by a value in the request, with what a person is told. */
const INPUT_SQLSTATES: Readonly<Record<string, string>> = {
  '22001': 'a value is longer than the store accepts',
  '22003': 'a number is out of range',
  '22004': 'a value may not be null',
  '22007': 'a date or time is not in a valid format',
  '22008': 'a date or time is out of range',
  '22009': 'a date or time is out of range',
  '22019': 'a value holds an invalid escape character',
  '22021': 'a value is not valid UTF-8 text',
  '22023': 'a value is not valid here',
  '22025': 'a value holds an invalid escape sequence',
  '2201B': 'a value is not a valid pattern',
  '22P02': 'a value is not of the expected form',
  '22P05': 'a value holds a character the store cannot keep (NUL or an unsupported Unicode escape)',
  '54000': 'a value exceeds a limit of the store',
  '54001': 'a value is nested too deeply',
};

/** The SQLSTATE of a PostgreSQL error (pg or PGlite), if `error` is one. */
export function sqlStateOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Bad input for a store error a request's values caused; null for any other error. */
export function storeInputError(error: unknown): LeashError | null {
  const state = sqlStateOf(error);
  if (!state) return null;
  // Class 22 is PostgreSQL's "data exception": a value, never the statement, is what it refuses.
  const message = INPUT_SQLSTATES[state] ?? (state.startsWith('22') ? 'a value is not valid here' : undefined);
  if (!message) return null;
  return new LeashError('bad_input', `input: ${message}`, { field: 'input', sqlState: state });
}
