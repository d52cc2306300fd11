/** The hash of one audit row: SHA-256 of the previous hash followed by the row's canonical JSON. */
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';

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

/** Computes a row's hash. */
export function hashAuditEvent(row: HashedAuditFields): string {
  const { prevHash, at, ...rest } = row;
  return sha256Hex(prevHash + canonicalJson({ ...rest, at: at.toISOString(), prevHash }));
}
