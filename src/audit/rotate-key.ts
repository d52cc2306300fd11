/**
 * `leash audit rotate-key`: a new signing key, recorded in every org's log (ADR 0015). For each org, an
 * `audit.key_rotated` row signed by the old key names the new key (its id and public key), which the org's next
 * row must be signed by (ADR 0023: the rotation row itself says so); then the key file is replaced and a checkpoint signed by the new key is written. The new
 * public key is trusted before the first row names it, so a crash in between leaves a log that still verifies.
 * A key given by LEASH_AUDIT_SIGNING_KEY is rotated by changing the variable on every process, which this
 * command cannot do: it refuses.
 */
import type { Kysely } from 'kysely';
import { LeashError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import { appendAuditEvents } from './append-audit-event.ts';
import { auditSetupOf } from './audit-setup.ts';
import { auditedOrgs } from './chain-ends.ts';
import { writeCheckpoint } from './checkpoints.ts';
import { generateSigner, SIGNING_KEY_ENV, signerFromEnvironment, writeSignerFile } from './signing-key.ts';

/** What a rotation did. */
export interface Rotation {
  oldKeyId: string;
  newKeyId: string;
  orgs: string[];
}

/** Rotates the signing key of the store `db` belongs to; `actor` is recorded on each rotation row. */
export async function rotateAuditKey(
  db: Kysely<Database>,
  actor: { memberId?: string | null; email?: string | null; channel: string } = { channel: 'cli' },
): Promise<Rotation> {
  const setup = auditSetupOf(db);
  if (signerFromEnvironment())
    throw new LeashError(
      'invalid_state',
      `the audit signing key comes from ${SIGNING_KEY_ENV}: rotate it by setting a new key there on every process`,
    );
  const old = setup.signer();
  const next = generateSigner(setup.keyFile ?? 'an in-memory key');
  setup.sink.addKey({ key_id: next.keyId, public_key: next.publicKey, added_at: new Date().toISOString() });
  const orgs = await auditedOrgs(db);
  const record = { old_key_id: old.keyId, new_key_id: next.keyId, new_public_key: next.publicKey };
  for (const orgId of orgs)
    await appendAuditEvents(db, [
      {
        orgId,
        event: 'audit.key_rotated',
        actorId: actor.memberId ?? null,
        actorEmail: actor.email ?? null,
        channel: actor.channel,
        arguments: { old_key_id: old.keyId, new_key_id: next.keyId },
        result: record,
      },
    ]);
  if (setup.keyFile) writeSignerFile(setup.keyFile, next);
  setup.switchSigner(next);
  for (const orgId of orgs) await writeCheckpoint(db, orgId);
  return { oldKeyId: old.keyId, newKeyId: next.keyId, orgs };
}
