/**
 * What a caller may be told of a failed call: bad input naming the field (a schema's issues, or a value the store
 * refused), or a Leash error's own words. Anything else is internal (a store's or a library's message: SQL, table
 * and function names) and undefined here: the surface logs it with the request id and says only that.
 */
import { ZodError } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { storeInputError } from '../store/store-input-error.ts';

/** The code and message a caller may see, or undefined for an internal error. */
export function publicFailure(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ZodError)
    return {
      code: 'bad_input',
      message: error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    };
  const stored = storeInputError(error);
  if (stored) return { code: 'bad_input', message: stored.message };
  if (error instanceof LeashError && error.code !== 'internal') return { code: error.code, message: error.message };
  return undefined;
}
