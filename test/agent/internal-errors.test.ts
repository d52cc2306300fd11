/**
 * An internal error under an agent call (the store's or a library's own message: SQL, relation and function
 * names) never reaches the planner or the person: the call's error and the reply say only that something went
 * wrong with the request id, and the detail goes to stderr with that id, as on the HTTP and MCP surfaces. Real
 * store (PGlite, or PostgreSQL with DATABASE_URL); the billing connector is made to fail as a broken store would.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinPlanner } from '../../src/agent/builtin/builtin-planner.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { findMemberByEmail, getOrg } from '../../src/auth/members.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { loadGate } from '../../src/policy/decide.ts';
import type { Store } from '../../src/store/db.ts';
import { memberContext } from '../../src/surfaces/operation-context.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

const SECRET = 'function leash_secret_fn(unknown, bigint) does not exist';

describe(`an agent call that fails inside (${testStoreKind})`, () => {
  let store: Store;
  let context: OperationContext;

  beforeAll(async () => {
    store = await openTestStore();
    const { org } = await createDemoOrg(store.db);
    const member = await findMemberByEmail(store.db, org.id, 'fiona@northwind.test');
    const found = await getOrg(store.db, org.id);
    if (!member || !found) throw new Error('no demo member');
    const base = memberContext({ store, org: found, member, gate: await loadGate(), channel: 'cli' });
    // Every connector method fails the way a store missing a function fails.
    const broken = new Proxy(
      {},
      {
        get: () => async () => {
          throw Object.assign(new Error(SECRET), { code: '42883' });
        },
      },
    );
    context = { ...base, connector: () => broken as ReturnType<OperationContext['connector']> };
  });
  afterAll(async () => store?.close());

  it.each(['Refund INV-000123', 'Credit Acme Corp $25 for the outage', 'Show me payment history for Acme Corp'])(
    '"%s": the reply and the calls hold the request id, not the message',
    async (text) => {
      const written: string[] = [];
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      try {
        const turn = await runAgentTurn({ context, planner: builtinPlanner(), text });
        expect(turn.reply).not.toContain('leash_secret_fn');
        expect(turn.reply).not.toMatch(/does not exist|42883/);
        const failed = turn.calls.filter((call) => call.error);
        expect(failed.length, JSON.stringify(turn.calls)).toBeGreaterThan(0);
        for (const call of failed) {
          expect(call.error?.message).not.toContain('leash_secret_fn');
          expect(call.error).toMatchObject({ code: 'internal', message: expect.stringMatching(/request req_/) });
        }
        expect(written.join('')).toContain(SECRET);
      } finally {
        spy.mockRestore();
      }
    },
  );
});
