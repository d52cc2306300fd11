/**
 * Signed checkpoints of each org's head (its last row), written outside the database (ADR 0015): after every execution event
 * (once its transaction has committed), at least once a minute while events arrive, when the store closes, and
 * on demand (`leash audit checkpoint`). A checkpoint is read from the committed head, so it never names a row a
 * rolled-back transaction added. `leash audit verify` then requires each checkpointed row to still be there with
 * the same hash: rows deleted, rewound or rewritten after a checkpoint are found even when re-chained and re-signed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { type AuditSetup, auditSetupOf, setFlushOnClose } from './audit-setup.ts';
import { lastAuditRow } from './chain-ends.ts';
import { type Checkpoint, checkpointMessage } from './checkpoint-sink.ts';
import { signText } from './signing-key.ts';

/** How often, at least, a checkpoint is written while an org's events arrive. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

/** Events after which a checkpoint is written at once: whatever changed money or data outside Leash. */
const URGENT = /^execution\./;

type Executor = Kysely<Database> | Transaction<Database>;

/** The org's last committed row (ADR 0023: the chain's end is its last row). */
const committedHead = (db: Kysely<Database>, orgId: string) => lastAuditRow(db, orgId);

/** Signs and writes a checkpoint of the committed head (unless it is empty, or already checkpointed). */
async function checkpointSetup(
  setup: AuditSetup,
  db: Kysely<Database>,
  orgId: string,
  force: boolean,
): Promise<Checkpoint | undefined> {
  const head = await committedHead(db, orgId);
  const state = setup.checkpointing;
  if (!head || Number(head.seq) === 0) return undefined;
  const last = state.lastWritten.get(orgId);
  if (!force && last?.seq === Number(head.seq)) {
    state.dirty.delete(orgId);
    return undefined;
  }
  const signer = setup.signer();
  const unsigned = {
    org: orgId,
    seq: Number(head.seq),
    hash: head.hash,
    at: new Date().toISOString(),
    key_id: signer.keyId,
  };
  const checkpoint: Checkpoint = { ...unsigned, signature: signText(signer, checkpointMessage(unsigned)) };
  setup.sink.append(checkpoint);
  state.lastWritten.set(orgId, { at: Date.now(), seq: checkpoint.seq });
  state.dirty.delete(orgId);
  return checkpoint;
}

/** Writes a checkpoint of `orgId`'s committed head now (the on-demand command). */
export async function writeCheckpoint(db: Kysely<Database>, orgId: string): Promise<Checkpoint | undefined> {
  return checkpointSetup(auditSetupOf(db), db, orgId, true);
}

let reported = false;
function report(error: unknown): void {
  if (reported) return;
  reported = true;
  process.stderr.write(`leash: an audit checkpoint was not written: ${(error as Error).message}\n`);
}

function track(setup: AuditSetup, work: Promise<unknown>): void {
  const pending = work.then(
    () => undefined,
    (error: unknown) => report(error),
  );
  setup.checkpointing.pending.add(pending);
  void pending.finally(() => setup.checkpointing.pending.delete(pending));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to ~5 s) for the head to reach `seq` as committed, then checkpoints whatever is committed. */
async function checkpointOnceCommitted(setup: AuditSetup, orgId: string, seq: number): Promise<void> {
  const db = setup.root;
  if (!db) return;
  for (let wait = 10; wait < 2_000; wait *= 2) {
    const head = await committedHead(db, orgId);
    if (head && Number(head.seq) >= seq) break;
    await pause(wait);
  }
  await checkpointSetup(setup, db, orgId, false);
}

function scheduleMinute(setup: AuditSetup, orgId: string): void {
  const state = setup.checkpointing;
  if (state.timers.has(orgId)) return;
  const last = state.lastWritten.get(orgId)?.at ?? Date.now();
  const timer = setTimeout(
    () => {
      state.timers.delete(orgId);
      const db = setup.root;
      if (db && state.dirty.has(orgId)) track(setup, checkpointSetup(setup, db, orgId, false));
    },
    Math.max(0, last + CHECKPOINT_INTERVAL_MS - Date.now()),
  );
  // The minute timer never keeps a process (or a test run) alive; closing the store writes what is due.
  timer.unref();
  state.timers.set(orgId, timer);
}

/** Called after each append: a checkpoint at once for executions, else within the minute. */
export function noteAppended(executor: Executor, orgId: string, event: string, seq: number): void {
  const setup = auditSetupOf(executor);
  setup.checkpointing.dirty.add(orgId);
  if (URGENT.test(event)) track(setup, checkpointOnceCommitted(setup, orgId, seq));
  else scheduleMinute(setup, orgId);
}

/**
 * Before a store closes: stops the minute timers, waits for checkpoints under way, and checkpoints every org
 * with events since its last one.
 */
export async function flushAuditCheckpoints(db: Kysely<Database>): Promise<void> {
  const setup = auditSetupOf(db);
  const state = setup.checkpointing;
  for (const timer of state.timers.values()) clearTimeout(timer);
  state.timers.clear();
  await Promise.all([...state.pending]);
  for (const orgId of [...state.dirty]) await checkpointSetup(setup, db, orgId, false).catch(report);
}

setFlushOnClose(flushAuditCheckpoints);
