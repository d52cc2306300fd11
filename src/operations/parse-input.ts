/**
 * Input checks before anything else: text the store cannot keep (NUL, lone surrogates), size and nesting limits
 * first (so a hostile payload never reaches a schema, the store or the policy), then the operation's strict zod
 * schema.
 */
import type { z } from 'zod';
import { badInput } from '../domain/errors.ts';
import { assertSafeInput } from '../domain/input-guard.ts';
import { issueSentence } from '../domain/input-sentences.ts';

/** Largest accepted input, as JSON text. */
export const MAX_INPUT_BYTES = 32 * 1024;
/** Deepest accepted nesting of objects and arrays. */
export const MAX_INPUT_DEPTH = 6;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_INPUT_DEPTH) return depth;
  if (Array.isArray(value)) return Math.max(depth, ...value.map((item) => depthOf(item, depth + 1)));
  if (value && typeof value === 'object') {
    return Math.max(depth, ...Object.values(value).map((item) => depthOf(item, depth + 1)));
  }
  return depth;
}

/** Validates raw input against a schema; throws bad_input naming the first wrong field. */
export function parseInput<Input>(schema: z.ZodType<Input>, raw: unknown): Input {
  // NUL, lone surrogates and deep nesting first: walked without recursion, before anything serialises the input.
  assertSafeInput(raw);
  const text = JSON.stringify(raw ?? {});
  if (text === undefined || Buffer.byteLength(text) > MAX_INPUT_BYTES) {
    throw badInput('input', `larger than ${MAX_INPUT_BYTES} bytes`);
  }
  if (depthOf(raw) > MAX_INPUT_DEPTH) throw badInput('input', `nested deeper than ${MAX_INPUT_DEPTH} levels`);
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'input';
    throw badInput(field, issueSentence(issue));
  }
  return result.data;
}
