/**
 * Opening an embedded PGlite data directory, shared by the store (db.ts) and the CLI's store worker
 * (embedded-worker.ts): the one-process lock and the client with Leash's extensions and number parsers. Light on
 * purpose: PGlite itself and node built-ins only.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { LeashError } from '../domain/errors.ts';

/** Money columns are bigint and sums are numeric: both come back as JS numbers, checked to be exact. */
export function toSafeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && !Number.isFinite(value)) throw new RangeError(`not a number: ${text}`);
  return value;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it. The first
 * opener writes its pid to `leash.pid`; others are refused while that process lives (a dead one's file is
 * taken over). Returns the unlock.
 */
export function lockDataDir(location: string): () => void {
  const lockFile = join(location, 'leash.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder))
        throw new LeashError(
          'unavailable',
          `the embedded store in ${location} is open in another Leash process (pid ${holder}${holder === process.pid ? ', this one' : ''}): wait for it to finish (a \`leash start\` still starting up serves other commands once it runs), stop it, or set DATABASE_URL to share PostgreSQL`,
        );
      rmSync(lockFile, { force: true });
    }
  }
  throw new LeashError('unavailable', `could not lock ${lockFile}`);
}

/** A PGlite client on `location` (a directory, or `memory://…`) with pg_trgm and exact number parsing. */
export function createPglite(location: string): Promise<PGlite> {
  return PGlite.create(location, {
    extensions: { pg_trgm },
    parsers: { [pgliteTypes.INT8]: toSafeNumber, [pgliteTypes.NUMERIC]: toSafeNumber },
  });
}
