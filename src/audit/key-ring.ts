/**
 * Which keys may sign an org's rows, as verify walks the chain (ADR 0015). The roots are the keys trusted
 * outside the database (the checkpoint directory's keys.jsonl and the key this process holds). The first signed
 * row must be signed by a root; every later row by the same key, until an `audit.key_rotated` row, signed by that
 * key, names the next one (its public key and id). A key the database names but no trusted key introduced is
 * refused, and so is a row signed with a key the log has rotated away from. The signature itself is checked
 * by the caller (signature-pool.ts), in batches: a rotation whose signature fails is the first bad row anyway.
 */
import type { KeyObject } from 'node:crypto';
import type { TrustedKey } from './checkpoint-sink.ts';
import type { SignatureCheck } from './signature-pool.ts';
import { keyIdOf, publicKeyObject, rowMessage } from './signing-key.ts';

/** What a rotation row records (arguments and result of `audit.key_rotated`). */
export interface RotationRecord {
  old_key_id: string;
  new_key_id: string;
  new_public_key: string;
}

/** The signed parts of a row, as stored. */
export interface SignedRow {
  event: string;
  hash: string;
  keyId: string | null;
  signature: string | null;
  result: unknown;
}

function isRotation(value: unknown): value is RotationRecord {
  const record = value as Partial<RotationRecord> | null;
  return (
    typeof record?.new_key_id === 'string' &&
    typeof record.new_public_key === 'string' &&
    typeof record.old_key_id === 'string'
  );
}

/** The keys of one walk: the roots plus the keys rotations introduced, and the key the next row must use. */
export class KeyRing {
  /** Trusted public keys (base64 SPKI DER) by id. */
  readonly keys = new Map<string, string>();
  private readonly roots: Set<string>;
  private expected: string | null = null;

  constructor(trusted: readonly TrustedKey[]) {
    for (const key of trusted) {
      try {
        if (keyIdOf(key.public_key) === key.key_id) this.keys.set(key.key_id, key.public_key);
      } catch {
        // An unreadable line in keys.jsonl trusts nothing.
      }
    }
    this.roots = new Set(this.keys.keys());
  }

  /** The public key of `keyId` if it is trusted now (a root, or introduced by a rotation). */
  key(keyId: string): KeyObject | undefined {
    const der = this.keys.get(keyId);
    return der === undefined ? undefined : publicKeyObject(der);
  }

  /**
   * Why `row` is not signed by the key the log expects, or null when it is; then its signature goes into
   * `checks` and the ring moves on past it.
   */
  admit(row: SignedRow & { seq: number }, checks: SignatureCheck[]): string | null {
    if (!row.keyId || !row.signature) return 'the row is not signed';
    if (this.expected === null && !this.roots.has(row.keyId))
      return `signed by key ${row.keyId}, which is not among the trusted keys`;
    if (this.expected !== null && row.keyId !== this.expected)
      return `signed by key ${row.keyId}, but the log's key here is ${this.expected} (no rotation recorded)`;
    checks.push([row.seq, row.keyId, rowMessage(row.hash), row.signature]);
    this.expected = row.keyId;
    if (row.event === 'audit.key_rotated') {
      if (!isRotation(row.result) || row.result.old_key_id !== row.keyId)
        return 'a key rotation that does not name its keys';
      if (keyIdOf(row.result.new_public_key) !== row.result.new_key_id)
        return 'a key rotation whose new key does not match its id';
      this.keys.set(row.result.new_key_id, row.result.new_public_key);
      this.expected = row.result.new_key_id;
    }
    return null;
  }
}
