/** Maps errors to one clear line and an exit code: 0 ok, 1 failure, 2 bad input, 3 blocked or refused. */
import type { ZodError } from 'zod';
import { ERROR_CODES, LeashError } from '../domain/errors.ts';
import { issueSentence } from '../domain/input-sentences.ts';
import { storeInputError } from '../store/store-input-error.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, blocked: 3 } as const;

/** A zod validation error, recognised by its name and issues so that starting the CLI does not load zod. */
function isZodError(error: unknown): error is ZodError {
  return error instanceof Error && error.name === 'ZodError' && Array.isArray((error as { issues?: unknown }).issues);
}

/** One line for a person, and the exit code, for any thrown value. */
export function describeError(error: unknown): { line: string; exitCode: number; code: string } {
  if (error instanceof LeashError) {
    // The pipeline asks for the text CONFIRM; on the command line that is a flag.
    const line =
      error.details.policyId === 'confirm.text_required'
        ? 'this action cannot be undone: add --confirm-text CONFIRM to proceed'
        : error.message;
    return { line, exitCode: ERROR_CODES[error.code].exit, code: error.code };
  }
  if (isZodError(error)) {
    const issue = error.issues[0];
    const field = issue?.path.join('.') || 'input';
    return { line: `${field}: ${issueSentence(issue)}`, exitCode: EXIT.badInput, code: 'bad_input' };
  }
  // A value the store refused (NUL, out-of-range numbers or dates) is bad input, not a failure of Leash.
  const stored = storeInputError(error);
  if (stored) return { line: stored.message, exitCode: EXIT.badInput, code: 'bad_input' };
  if (error instanceof Error && /ECONNREFUSED|ENOTFOUND|connect ETIMEDOUT/.test(error.message)) {
    return { line: `the store is unreachable: ${error.message}`, exitCode: EXIT.failure, code: 'unavailable' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `internal error: ${message}`, exitCode: EXIT.failure, code: 'internal' };
}
