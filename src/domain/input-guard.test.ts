import { describe, expect, it } from 'vitest';
import { isLeashError } from './errors.ts';
import { assertSafeInput, findUnsafeInput, jsonNestedDeeperThan, MAX_NESTING } from './input-guard.ts';

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
}

describe('input guard', () => {
  it.each([
    ['clean text', { name: 'Acme Corp 😀', lines: [{ amount: 1 }] }, null],
    ['NUL in a field', { name: 'Acme\u0000' }, { field: 'name', problem: 'nul' }],
    ['a lone high surrogate', { name: 'Acme\ud800' }, { field: 'name', problem: 'lone_surrogate' }],
    ['a lone low surrogate', { name: '\udc00Acme' }, { field: 'name', problem: 'lone_surrogate' }],
    ['a nested field', { customer: { lines: ['ok', 'x\u0000'] } }, { field: 'customer.lines.1', problem: 'nul' }],
    ['a key, shown escaped', { 'na\u0000me': 'Acme' }, { field: 'na\\u0000me', problem: 'nul' }],
    ['the first in document order', { a: 'ok', b: 'x\ud800', c: 'x\u0000' }, { field: 'b', problem: 'lone_surrogate' }],
    ['a bare string', 'x\u0000', { field: 'input', problem: 'nul' }],
    ['64 levels', nested(MAX_NESTING), null],
    ['65 levels', nested(MAX_NESTING + 1), { problem: 'too_deep' }],
    ['raw bytes are not fields', { raw: Buffer.from([0, 0xd8]) }, null],
  ])('%s', (_name, value, expected) => {
    const found = findUnsafeInput(value);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toMatchObject(expected);
  });

  it('walks 50,000 levels without overflowing the stack', () => {
    expect(findUnsafeInput(nested(50_000))?.problem).toBe('too_deep');
  });

  it('throws bad input naming the field', () => {
    const error = (() => {
      try {
        assertSafeInput({ query: 'a\u0000' });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(isLeashError(error, 'bad_input')).toBe(true);
    expect((error as Error).message).toMatch(/^query: contains a NUL/);
  });

  it.each([
    ['[[1]]', 2, false],
    ['[[[1]]]', 2, true],
    ['{"a":"[[[[[[","b":"\\"[[[["}', 1, false],
    [`${'['.repeat(50_000)}${']'.repeat(50_000)}`, MAX_NESTING, true],
  ])('JSON text %#: nested deeper than %i is %s', (text, limit, deeper) => {
    expect(jsonNestedDeeperThan(text, limit)).toBe(deeper);
  });
});
