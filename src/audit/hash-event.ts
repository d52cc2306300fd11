/**
 * The hash of one audit row, in two parts so the database can link the chain in the same statement that adds
 * the row:
 *
 *   body = SHA-256(canonical JSON of every field except seq and prev_hash)      (computed here)
 *   hash = SHA-256(prev_hash ":" seq ":" body)                                  (here, or by PostgreSQL's sha256)
 *
 * Changing any field changes the body; moving, dropping or re-linking a row breaks seq or prev_hash. The row's
 * key id and signature (ADR 0015) sign `hash` and are not part of it.
 */
import canonicalize from 'canonicalize';
import { sha256Hex } from '../domain/canonical-json.ts';

/** The fields of a row that the hash covers (everything but the hash itself). */
export interface HashedAuditFields {
  id: string;
  orgId: string;
  seq: number;
  at: Date;
  event: string;
  actorId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  channel: string;
  requestId: string | null;
  proposalId: string | null;
  operation: string | null;
  customerId: string | null;
  invoiceId: string | null;
  chargeId: string | null;
  arguments: unknown;
  decision: unknown;
  result: unknown;
  userInput: string | null;
  prevHash: string;
}

/** The fields the body hash covers. */
export type AuditBody = Omit<HashedAuditFields, 'seq' | 'prevHash'>;

/** SHA-256 (hex) of the row's canonical JSON, without its place in the chain. */
export function hashAuditBody(body: AuditBody): string {
  // A whole row may be passed (when verifying): its place in the chain and its signature are not part of the body.
  const {
    at,
    seq: _seq,
    prevHash: _prevHash,
    keyId: _keyId,
    signature: _signature,
    ...rest
  } = body as AuditBody & Partial<HashedAuditFields> & { keyId?: unknown; signature?: unknown };
  // The fields are plain JSON data already (toJsonData ran when the row was made; jsonb reads back as such), so
  // the RFC 8785 form is taken directly: the same text as canonicalJson, without its copy (verify's hot path).
  const text = canonicalize({ ...rest, at: at.toISOString() });
  if (text === undefined) throw new RangeError('an audit row has no canonical JSON form');
  return sha256Hex(text);
}

/** Links a body into the chain: SHA-256 (hex) of `prev_hash:seq:body`. The SQL twin is in append-audit-event.ts. */
export function chainHash(prevHash: string, seq: number, bodyHash: string): string {
  return sha256Hex(`${prevHash}:${seq}:${bodyHash}`);
}

/** Computes a row's hash. */
export function hashAuditEvent(row: HashedAuditFields): string {
  return chainHash(row.prevHash, row.seq, hashAuditBody(row));
}
