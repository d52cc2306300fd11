/**
 * What the audit log of one store uses outside the database: the signing key, the checkpoint directory (with
 * the trusted public keys), and this process's view of each org's head. A store opened on a data directory
 * keeps them in that directory; an in-memory store keeps them in memory (a fresh key per store unless
 * LEASH_AUDIT_SIGNING_KEY is set); any other store (PostgreSQL, a server's channel) uses the environment
 * (store/store-hooks.ts says which):
 * LEASH_AUDIT_SIGNING_KEY or `<LEASH_DATA_DIR>/audit-signing-key`, LEASH_AUDIT_CHECKPOINTS or
 * `<LEASH_DATA_DIR>/audit-checkpoints`. Found from any query builder of the store, transactions included
 * (they share the store's adapter).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { LeashError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import { beforeStoreCloses, type StorePlace, storePlaceOf } from '../store/store-hooks.ts';
import { CHECKPOINTS_ENV, type CheckpointSink, fileSink, memorySink } from './checkpoint-sink.ts';
import {
  type AuditSigner,
  generateSigner,
  readSignerFile,
  SIGNING_KEY_ENV,
  signerFromEnvironment,
  signerPem,
} from './signing-key.ts';

/** An org's head as this process last saw it: where the next row links, and the key it must be signed by. */
export interface KnownHead {
  seq: number;
  hash: string;
  keyId: string | null;
}

/** The audit log's outside-the-database parts for one store. */
export interface AuditSetup {
  readonly sink: CheckpointSink;
  /** The key file, when the key lives in one (not for LEASH_AUDIT_SIGNING_KEY or in-memory stores). */
  readonly keyFile: string | undefined;
  /** The signing key, loaded (or created on first use) once. */
  signer(): AuditSigner;
  /** The signing key if one can be had without creating it (for verify). */
  existingSigner(): AuditSigner | undefined;
  /** Reads the key file again (another process rotated it); true when the key changed. */
  reloadSigner(): boolean;
  /** Switches to a new key (rotation) and trusts it. */
  switchSigner(next: AuditSigner): void;
  readonly heads: Map<string, KnownHead>;
  /** The store's own query builder (not a transaction), for checkpoints read after commit. */
  root: Kysely<Database> | undefined;
  readonly checkpointing: CheckpointState;
}

/** Checkpoint bookkeeping (see checkpoints.ts). */
export interface CheckpointState {
  readonly lastWritten: Map<string, { at: number; seq: number }>;
  readonly timers: Map<string, NodeJS.Timeout>;
  readonly pending: Set<Promise<void>>;
  readonly dirty: Set<string>;
}

type Executor = Kysely<Database> | Transaction<Database>;

const setups = new WeakMap<object, AuditSetup>();

function adapterOf(executor: Kysely<unknown>): object {
  return executor.getExecutor().adapter;
}

function trust(sink: CheckpointSink, signer: AuditSigner): void {
  if (sink.keys().some((key) => key.key_id === signer.keyId)) return;
  sink.addKey({ key_id: signer.keyId, public_key: signer.publicKey, added_at: new Date().toISOString() });
}

/** Creates the key file, or reads the one another process created first. */
function createKeyFile(keyFile: string): AuditSigner {
  const created = generateSigner(keyFile);
  try {
    writeFileSync(keyFile, signerPem(created), { mode: 0o600, flag: 'wx' });
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readSignerFile(keyFile) as AuditSigner;
  }
}

function makeSetup(sink: CheckpointSink, keyFile: string | undefined): AuditSetup {
  let current: AuditSigner | undefined;
  const load = (create: boolean): AuditSigner | undefined => {
    const fromEnvironment = signerFromEnvironment();
    if (fromEnvironment) return fromEnvironment;
    if (!keyFile) return create ? generateSigner('an in-memory key') : undefined;
    const fromFile = readSignerFile(keyFile);
    if (fromFile || !create) return fromFile;
    const known = sink.keys();
    if (known.length > 0)
      throw new LeashError(
        'unavailable',
        `the audit signing key ${keyFile} is missing, but ${known.length} key(s) signed this log before (listed in ${join(sink.location, 'keys.jsonl')}): restore the key file or set ${SIGNING_KEY_ENV}`,
      );
    return createKeyFile(keyFile);
  };
  const setup: AuditSetup = {
    sink,
    keyFile,
    signer() {
      if (!current) {
        current = load(true) as AuditSigner;
        trust(sink, current);
      }
      return current;
    },
    existingSigner() {
      return current ?? load(false);
    },
    reloadSigner() {
      const before = current?.keyId;
      const next = load(false);
      if (!next || next.keyId === before) return false;
      current = next;
      trust(sink, next);
      return true;
    },
    switchSigner(next) {
      trust(sink, next);
      current = next;
    },
    heads: new Map(),
    root: undefined,
    checkpointing: { lastWritten: new Map(), timers: new Map(), pending: new Set(), dirty: new Set() },
  };
  return setup;
}

/** The setup of a store kept at `place` (see the file comment). */
function setupAt(place: StorePlace): AuditSetup {
  if (place === 'memory') return makeSetup(memorySink(), undefined);
  const dataDir = place === 'environment' ? resolve(process.env.LEASH_DATA_DIR ?? './.leash') : place.dataDir;
  return makeSetup(
    fileSink(resolve(process.env[CHECKPOINTS_ENV] ?? join(dataDir, 'audit-checkpoints'))),
    join(dataDir, 'audit-signing-key'),
  );
}

let flushOnClose: (db: Kysely<Database>) => Promise<void> = async () => undefined;

/** Remembers the store's own query builder, and writes the last checkpoints when that store closes. */
function adoptRoot(setup: AuditSetup, db: Kysely<Database>): void {
  if (setup.root) return;
  setup.root = db;
  beforeStoreCloses(db as Kysely<unknown>, () => flushOnClose(db));
}

/** Set by checkpoints.ts (which imports this file): what a closing store runs. */
export function setFlushOnClose(flush: (db: Kysely<Database>) => Promise<void>): void {
  flushOnClose = flush;
}

/**
 * Binds a store's query builder to where its audit trust lives, replacing what it used: a data directory, or
 * memory (tests, scratch stores). Stores not bound use the place the store recorded when it opened.
 */
export function bindAuditStore(db: Kysely<Database>, where: { dataDir: string } | 'memory'): AuditSetup {
  const setup = setupAt(where);
  setups.set(adapterOf(db as Kysely<unknown>), setup);
  adoptRoot(setup, db);
  return setup;
}

/** The setup of the store `executor` belongs to, made on first use from where the store keeps its data. */
export function auditSetupOf(executor: Executor): AuditSetup {
  const adapter = adapterOf(executor as Kysely<unknown>);
  let setup = setups.get(adapter);
  if (!setup) {
    setup = setupAt(storePlaceOf(executor as Kysely<unknown>));
    setups.set(adapter, setup);
  }
  if (!executor.isTransaction) adoptRoot(setup, executor as Kysely<Database>);
  return setup;
}
