/**
 * Where the audit log's trust lives outside the database (ADR 0015): signed checkpoints, one JSON line each in
 * `<dir>/<org>.jsonl`, and the public keys that ever signed, in `<dir>/keys.jsonl`. Both files are only ever
 * appended to. The directory is `<data dir>/audit-checkpoints` by default, LEASH_AUDIT_CHECKPOINTS names another
 * (a mounted append-only or off-host path is better still). An in-memory store keeps them in memory.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable naming the checkpoint directory. */
export const CHECKPOINTS_ENV = 'LEASH_AUDIT_CHECKPOINTS';

/** One checkpoint: the org's head as committed at `at`, signed by `key_id`. */
export interface Checkpoint {
  org: string;
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

/** A public key that signed rows or checkpoints of this log. */
export interface TrustedKey {
  key_id: string;
  public_key: string;
  added_at: string;
}

/** Checkpoints and trusted keys, kept outside the database. */
export interface CheckpointSink {
  /** For messages: the directory, or "memory". */
  readonly location: string;
  append(checkpoint: Checkpoint): void;
  read(orgId: string): Checkpoint[];
  /** The orgs with checkpoints (verify checks them even when the database holds none of their rows). */
  orgs(): string[];
  keys(): TrustedKey[];
  addKey(key: TrustedKey): void;
}

/** The line a checkpoint's signature covers. */
export function checkpointMessage(checkpoint: Omit<Checkpoint, 'signature'>): string {
  return `leash-audit-checkpoint:v1:${checkpoint.org}:${checkpoint.seq}:${checkpoint.hash}:${checkpoint.at}:${checkpoint.key_id}`;
}

/** A file name for an org id: the id itself when it is a plain name, else a digest of it. */
function orgFileName(orgId: string): string {
  if (/^[A-Za-z0-9_-]{1,120}$/.test(orgId) && orgId !== 'keys') return `${orgId}.jsonl`;
  return `org-${createHash('sha256').update(orgId).digest('hex').slice(0, 32)}.jsonl`;
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const parsed: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch {
      // A torn last line (a crash mid-write) is skipped; verify counts only whole checkpoints.
    }
  }
  return parsed;
}

/** Checkpoints as JSON lines in `dir`. */
export function fileSink(dir: string): CheckpointSink {
  const ensure = () => mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keysFile = join(dir, 'keys.jsonl');
  return {
    location: dir,
    append(checkpoint) {
      ensure();
      appendFileSync(join(dir, orgFileName(checkpoint.org)), `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    },
    read: (orgId) => readLines<Checkpoint>(join(dir, orgFileName(orgId))),
    orgs() {
      if (!existsSync(dir)) return [];
      const found = new Set<string>();
      for (const name of readdirSync(dir)) {
        if (!name.endsWith('.jsonl') || name === 'keys.jsonl') continue;
        const org = readLines<Checkpoint>(join(dir, name)).find(
          (checkpoint) => typeof checkpoint.org === 'string',
        )?.org;
        if (org !== undefined && orgFileName(org) === name) found.add(org);
      }
      return [...found].sort();
    },
    keys: () => readLines<TrustedKey>(keysFile),
    addKey(key) {
      ensure();
      appendFileSync(keysFile, `${JSON.stringify(key)}\n`, { mode: 0o600 });
    },
  };
}

/** Checkpoints in this process's memory, for an in-memory store. */
export function memorySink(): CheckpointSink {
  const checkpoints = new Map<string, Checkpoint[]>();
  const keys: TrustedKey[] = [];
  return {
    location: 'memory',
    append(checkpoint) {
      checkpoints.set(checkpoint.org, [...(checkpoints.get(checkpoint.org) ?? []), checkpoint]);
    },
    read: (orgId) => [...(checkpoints.get(orgId) ?? [])],
    orgs: () => [...checkpoints.keys()].sort(),
    keys: () => [...keys],
    addKey(key) {
      keys.push(key);
    },
  };
}
