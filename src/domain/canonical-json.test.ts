import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: [1, 'x', { d: 2, c: null }] })).toBe('{"a":[1,"x",{"c":null,"d":2}],"b":1}');
  });
  it('formats numbers like ECMAScript and escapes strings minimally', () => {
    expect(canonicalJson({ n: 1e21, f: 0.1, s: 'é"\n' })).toBe('{"f":0.1,"n":1e+21,"s":"é\\"\\n"}');
  });
  it('turns dates into ISO strings and drops undefined', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05Z'), gone: undefined })).toBe(
      '{"at":"2026-01-02T03:04:05.000Z"}',
    );
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ amount: Number.NaN })).toThrow(RangeError);
  });
  it('hashes the same payload to the same SHA-256 whatever the key order', () => {
    expect(sha256Hex(canonicalJson({ a: 1, b: 2 }))).toBe(sha256Hex(canonicalJson({ b: 2, a: 1 })));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
