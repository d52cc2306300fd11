/**
 * The audit log's Ed25519 signing key, which the database never holds (ADR 0015): LEASH_AUDIT_SIGNING_KEY (a
 * PKCS#8 private key as PEM, or its DER in base64) on every process, else `<data dir>/audit-signing-key`, a PEM
 * file readable only by its owner, created on first use. A key is named by its id: the first 16 bytes (hex) of
 * SHA-256 over its public key (SPKI DER). Rows sign `leash-audit-row:v1:<hash>`, checkpoints their own line,
 * so a signature of one kind never passes for the other.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LeashError } from '../domain/errors.ts';

/** The environment variable that carries the key on every process. */
export const SIGNING_KEY_ENV = 'LEASH_AUDIT_SIGNING_KEY';

/** A key that signs: its id, the private half, and the public half as base64 SPKI DER. */
export interface AuditSigner {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  /** Where the key came from, for messages: the variable's name or the file. */
  readonly source: string;
}

/** The id of a public key (base64 SPKI DER). */
export function keyIdOf(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 32);
}

function signerOf(privateKey: KeyObject, source: string): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new LeashError('bad_input', `${source} is not an Ed25519 private key`, { field: source });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { keyId: keyIdOf(publicKey), privateKey, publicKey, source };
}

/** Parses a PKCS#8 Ed25519 private key given as PEM or as base64 DER. */
export function parseSigningKey(text: string, source: string): AuditSigner {
  const trimmed = text.trim();
  try {
    const key = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
    return signerOf(key, source);
  } catch (error) {
    if (error instanceof LeashError) throw error;
    throw new LeashError('bad_input', `${source} is not a PKCS#8 Ed25519 private key (PEM or base64 DER)`, {
      field: source,
    });
  }
}

/** A new random key (not stored anywhere yet). */
export function generateSigner(source: string): AuditSigner {
  return signerOf(generateKeyPairSync('ed25519').privateKey, source);
}

/** The key as PEM, for its file. */
export function signerPem(signer: AuditSigner): string {
  return signer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Writes `signer` to `file` (0600), replacing what was there in one rename. */
export function writeSignerFile(file: string, signer: AuditSigner): void {
  mkdirSync(dirname(file), { recursive: true });
  const next = `${file}.next`;
  writeFileSync(next, signerPem(signer), { mode: 0o600 });
  chmodSync(next, 0o600);
  renameSync(next, file);
}

/** The key in `file`, or undefined when there is none. */
export function readSignerFile(file: string): AuditSigner | undefined {
  if (!existsSync(file)) return undefined;
  chmodSync(file, 0o600);
  return parseSigningKey(readFileSync(file, 'utf8'), file);
}

/** The key in LEASH_AUDIT_SIGNING_KEY, or undefined when it is not set. */
export function signerFromEnvironment(): AuditSigner | undefined {
  const text = process.env[SIGNING_KEY_ENV];
  return text === undefined || text.trim() === '' ? undefined : parseSigningKey(text, SIGNING_KEY_ENV);
}

const ROW_PREFIX = 'leash-audit-row:v1:';

/** Signs a row hash (base64 signature). */
export function signRowHash(signer: AuditSigner, hash: string): string {
  return sign(null, Buffer.from(ROW_PREFIX + hash), signer.privateKey).toString('base64');
}

/** Signs any text (checkpoint lines). */
export function signText(signer: AuditSigner, text: string): string {
  return sign(null, Buffer.from(text), signer.privateKey).toString('base64');
}

/** A public key object from base64 SPKI DER. */
export function publicKeyObject(publicKeyBase64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
}

/** True when `signature` is `key`'s signature of `text`. */
export function verifyText(key: KeyObject, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The message a row's signature covers. */
export function rowMessage(hash: string): string {
  return ROW_PREFIX + hash;
}
