/** Bad input is answered in sentences naming the field, not zod's wording (src/domain/input-sentences.ts). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from '../../src/operations/parse-input.ts';

const schema = z
  .object({
    query: z.string().min(1).max(5),
    limit: z.number().int().min(1).max(10).optional(),
    kind: z.enum(['open', 'paid']).optional(),
    email: z.email().optional(),
    reply: z.string().trim().min(1, 'the reply is empty').optional(),
  })
  .strict();

function message(raw: unknown): string {
  try {
    parseInput(schema, raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('input sentences', () => {
  it.each([
    [{}, 'query: is required'],
    [{ query: 5 }, 'query: must be a string'],
    [{ query: '' }, 'query: must be at least 1 character long'],
    [{ query: 'too long' }, 'query: must be at most 5 characters long'],
    [{ query: 'a', limit: 0 }, 'limit: must be at least 1'],
    [{ query: 'a', kind: 'void' }, 'kind: must be one of open, paid'],
    [{ query: 'a', bogus: 1 }, 'input: unknown field bogus'],
    [{ query: 'a', email: 'x' }, 'email: must be a valid email'],
    // A schema's own message is kept: it already reads as a person would write it.
    [{ query: 'a', reply: '  ' }, 'reply: the reply is empty'],
  ])('%j → %s', (raw, expected) => {
    expect(message(raw)).toBe(expected);
    expect(message(raw)).not.toMatch(/Invalid input|expected \w+, received/);
  });
});
