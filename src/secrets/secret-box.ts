/**
 * Provider keys at rest (ARCHITECTURE.md §3.10): AES-256-GCM under a master key, with the org and purpose as
 * associated data, so a sealed key copied to another org's row or another purpose does not open. The master key
 * is LEASH_MASTER_KEY (set the same value on every process) or a random key in `<data dir>/master-key`, readable
 * only by its owner. A sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url); nothing else about it is stored.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { LeashError } from '../domain/errors.ts';
import { dataDirFile, loadKeyText } from '../store/key-material.ts';

/** A 32-byte master key. */
export type MasterKey = Buffer;

/** The master key: 32 bytes derived (SHA-256) from LEASH_MASTER_KEY or the key file's random text. */
export function loadMasterKey(keyFile = dataDirFile('master-key')): MasterKey {
  return createHash('sha256')
    .update(loadKeyText('LEASH_MASTER_KEY', keyFile, 32))
    .digest();
}

/** What a sealed secret is bound to: opening it under any other binding fails. */
export interface SecretBinding {
  orgId: string;
  purpose: string;
}

function associatedData(binding: SecretBinding): Buffer {
  return Buffer.from(`leash:${binding.orgId}:${binding.purpose}`, 'utf8');
}

/** Encrypts `plaintext` for `binding`. */
export function sealSecret(masterKey: MasterKey, plaintext: string, binding: SecretBinding): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Decrypts a sealed secret; a wrong key, a wrong binding or any tampering is one error that reveals nothing. */
export function openSecret(masterKey: MasterKey, sealed: string, binding: SecretBinding): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new LeashError('internal', 'a stored secret is not in a format this version can read');
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new LeashError(
      'unavailable',
      "a stored provider key cannot be decrypted: the master key (LEASH_MASTER_KEY or the data directory's master-key file) is not the one it was stored with",
    );
  }
}
