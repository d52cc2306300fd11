/**
 * Checks Ed25519 signatures in batches, for verify. An Ed25519 check costs more than reading and hashing a row
 * (~60–120 µs), so on a long log the checks run on worker threads while the main thread reads and hashes the
 * next batch; a short log is checked in this thread. The worker is plain JavaScript given as a string, so it runs
 * the same from the compiled CLI and from TypeScript sources.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { publicKeyObject, verifyText } from './signing-key.ts';

/** One signature to check: [seq, key id, signed text, base64 signature]. */
export type SignatureCheck = [seq: number, keyId: string, message: string, signature: string];

/** Checks batches of signatures; answers the seqs whose signature does not verify. */
export interface SignatureChecker {
  check(items: SignatureCheck[], keys: ReadonlyMap<string, string>): Promise<number[]>;
  close(): Promise<void>;
}

/** Below this many rows the checks stay in this thread (starting workers costs more). */
const WORKER_THRESHOLD = 5_000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (message) => {
  for (const [id, der] of message.keys) {
    if (keys.has(id)) continue;
    try {
      keys.set(id, createPublicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' }));
    } catch {}
  }
  const bad = [];
  for (const [seq, keyId, text, signature] of message.items) {
    const key = keys.get(keyId);
    let ok = false;
    try {
      ok = key !== undefined && verify(null, Buffer.from(text), key, Buffer.from(signature, 'base64'));
    } catch {}
    if (!ok) bad.push(seq);
  }
  parentPort.postMessage({ id: message.id, bad });
});
`;

function inThread(): SignatureChecker {
  const objects = new Map<string, ReturnType<typeof publicKeyObject>>();
  return {
    async check(items, keys) {
      const bad: number[] = [];
      for (const [seq, keyId, message, signature] of items) {
        const der = keys.get(keyId);
        if (der && !objects.has(keyId)) {
          try {
            objects.set(keyId, publicKeyObject(der));
          } catch {
            // A malformed public key verifies nothing.
          }
        }
        const key = objects.get(keyId);
        if (!key || !verifyText(key, message, signature)) bad.push(seq);
      }
      return bad;
    },
    close: async () => undefined,
  };
}

function workerPool(size: number): SignatureChecker {
  const workers = Array.from({ length: size }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const waiting = new Map<number, { resolve: (bad: number[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  for (const worker of workers) {
    worker.on('message', (answer: { id: number; bad: number[] }) => {
      waiting.get(answer.id)?.resolve(answer.bad);
      waiting.delete(answer.id);
    });
    worker.on('error', (error) => {
      for (const pending of waiting.values()) pending.reject(error);
      waiting.clear();
    });
  }
  const send = (worker: Worker, items: SignatureCheck[], keys: ReadonlyMap<string, string>) =>
    new Promise<number[]>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, items, keys: [...keys] });
    });
  return {
    async check(items, keys) {
      const share = Math.ceil(items.length / workers.length);
      const parts = workers.map((worker, index) => send(worker, items.slice(index * share, (index + 1) * share), keys));
      return (await Promise.all(parts)).flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** A checker sized for `rows` signatures: worker threads for a long log, this thread for a short one. */
export function signatureChecker(rows: number): SignatureChecker {
  if (rows < WORKER_THRESHOLD) return inThread();
  return workerPool(Math.max(1, Math.min(4, availableParallelism())));
}
