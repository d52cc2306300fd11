/** Maps errors to one clear line and an exit code: 0 ok, 1 failure, 2 bad input, 3 blocked or refused. */
import { ZodError } from 'zod';
import { ERROR_CODES, LeashError } from '../domain/errors.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, blocked: 3 } as const;

/** One line for a person, and the exit code, for any thrown value. */
export function describeError(error: unknown): { line: string; exitCode: number; code: string } {
  if (error instanceof LeashError) {
    return { line: error.message, exitCode: ERROR_CODES[error.code].exit, code: error.code };
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join('.') || 'input';
    return { line: `${field}: ${issue?.message ?? 'invalid'}`, exitCode: EXIT.badInput, code: 'bad_input' };
  }
  if (error instanceof Error && /ECONNREFUSED|ENOTFOUND|connect ETIMEDOUT/.test(error.message)) {
    return { line: `the store is unreachable: ${error.message}`, exitCode: EXIT.failure, code: 'unavailable' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `internal error: ${message}`, exitCode: EXIT.failure, code: 'internal' };
}
