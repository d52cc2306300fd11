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

/**
 * The fields the body covers, in RFC 8785 order (UTF-16 code units; all ASCII here, so plain string order). The
 * canonical text of the body is built field by field in this order: the same text `canonicalize` gives the whole
 * object (a test holds them equal), without copying the row or sorting its keys on every row (verify's hot path).
 */
const BODY_FIELDS: readonly (keyof AuditBody)[] = (
  [
    'id',
    'orgId',
    'at',
    'event',
    'actorId',
    'actorEmail',
    'actorRole',
    'channel',
    'requestId',
    'proposalId',
    'operation',
    'customerId',
    'invoiceId',
    'chargeId',
    'arguments',
    'decision',
    'result',
    'userInput',
  ] as const
).toSorted();

/** Each field's name as it opens its member in the canonical text. */
const MEMBER_OPENINGS = BODY_FIELDS.map((field) => `${JSON.stringify(field)}:`);

/** The canonical JSON (RFC 8785) of a row's body: its hashed fields, `at` as an ISO string. */
export function canonicalBody(body: AuditBody): string {
  const members: string[] = [];
  for (let index = 0; index < BODY_FIELDS.length; index += 1) {
    const field = BODY_FIELDS[index] as keyof AuditBody;
    const value = field === 'at' ? body.at.toISOString() : body[field];
    // The fields are plain JSON data already (toJsonData ran when the row was made; jsonb reads back as such).
    const text = value === null ? 'null' : canonicalize(value);
    if (text === undefined) continue; // an absent field, as canonicalize leaves it out
    members.push(MEMBER_OPENINGS[index] + text);
  }
  return `{${members.join(',')}}`;
}

/** SHA-256 (hex) of the row's canonical JSON, without its place in the chain. */
export function hashAuditBody(body: AuditBody): string {
  // A whole row may be passed (when verifying): only the body's fields are read, so its place in the chain and
  // its signature are not part of the body.
  return sha256Hex(canonicalBody(body));
}

/** Links a body into the chain: SHA-256 (hex) of `prev_hash:seq:body`. The SQL twin is in append-audit-event.ts. */
export function chainHash(prevHash: string, seq: number, bodyHash: string): string {
  return sha256Hex(`${prevHash}:${seq}:${bodyHash}`);
}

/** Computes a row's hash. */
export function hashAuditEvent(row: HashedAuditFields): string {
  return chainHash(row.prevHash, row.seq, hashAuditBody(row));
}
