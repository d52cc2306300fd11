/**
 * Key material for this installation: from an environment variable (the same value on every process), otherwise
 * a random key kept in a file in the data directory, created on first use and readable only by its owner.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LeashError } from '../domain/errors.ts';

/** A file in the data directory (LEASH_DATA_DIR, default ./.leash). */
export function dataDirFile(name: string): string {
  return join(resolve(process.env.LEASH_DATA_DIR ?? './.leash'), name);
}

/** The text of `envName` if set (at least `minLength` characters), else the key file's, created if missing. */
export function loadKeyText(envName: string, keyFile: string, minLength: number): string {
  const fromEnvironment = process.env[envName];
  if (fromEnvironment !== undefined) {
    if (fromEnvironment.length < minLength)
      throw new LeashError('bad_input', `${envName} must be at least ${minLength} characters`, { field: envName });
    return fromEnvironment;
  }
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(keyFile, 0o600);
  return readFileSync(keyFile, 'utf8').trim();
}
