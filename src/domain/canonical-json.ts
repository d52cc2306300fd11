/** Canonical JSON (RFC 8785, JCS) and SHA-256: what approvals bind and what the audit chain hashes. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Plain JSON data: Dates become ISO strings, undefined properties are dropped; non-finite numbers throw. */
export function toJsonData(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item))
        throw new RangeError('canonical JSON cannot hold NaN or Infinity');
      if (typeof item === 'bigint') throw new RangeError('canonical JSON cannot hold bigint');
      return item;
    }) ?? 'null',
  );
}

/** The RFC 8785 canonical form of `value` (keys sorted, no whitespace, ECMAScript number formatting). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(toJsonData(value));
  if (text === undefined) throw new RangeError('value has no canonical JSON form');
  return text;
}

/** SHA-256 of a UTF-8 string, as lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
