/**
 * The eval business (src/demo/eval-business.ts) on this run's test store, with an operation context for any of
 * its members: what the agent tests ask the built-in planner against.
 */
import { afterAll, beforeAll } from 'vitest';
import type { AgentCall } from '../../src/agent/agent-types.ts';
import { choosePlanner } from '../../src/agent/planners.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { findMemberByEmail, getOrg } from '../../src/auth/members.ts';
import { EVAL_BUSINESS, type EvalStore, openEvalStore } from '../../src/demo/eval-business.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { loadGate } from '../../src/policy/decide.ts';
import { memberContext } from '../../src/surfaces/operation-context.ts';
import { openTestStore } from './store.ts';

/** The eval business and a context per member; close it in afterAll. */
export interface EvalBusinessFixture {
  business: EvalStore;
  /** A CLI context acting as `email`, a member of the eval org. */
  contextFor(email: string): Promise<OperationContext>;
  close(): Promise<void>;
}

/** Builds the eval business on a fresh test store. */
export async function openEvalBusinessFixture(): Promise<EvalBusinessFixture> {
  const business = await openEvalStore(EVAL_BUSINESS, { store: await openTestStore() });
  const gate = await loadGate();
  const org = await getOrg(business.store.db, business.orgId);
  return {
    business,
    async contextFor(email) {
      const member = await findMemberByEmail(business.store.db, business.orgId, email);
      if (!org || !member) throw new Error(`no member ${email} in the eval org`);
      return memberContext({ store: business.store, org, member, gate, channel: 'cli' });
    },
    close: () => business.store.close(),
  };
}

/**
 * For a describe block: the eval business opened before its tests and closed after them, and `ask`, which runs
 * one turn of the built-in planner as `email` (olivia, the owner, unless given).
 */
export function builtinPlannerOnEvalBusiness(email = 'olivia@northwind.test') {
  let fixture: EvalBusinessFixture | undefined;
  let context: OperationContext | undefined;
  beforeAll(async () => {
    fixture = await openEvalBusinessFixture();
    context = await fixture.contextFor(email);
  }, 120_000);
  afterAll(async () => {
    await fixture?.close();
  });
  const opened = () => {
    if (!fixture || !context) throw new Error('the eval business is opened in beforeAll');
    return { fixture, context };
  };
  return {
    fixture: () => opened().fixture,
    ask: async (text: string, conversationId?: string) =>
      runAgentTurn({ context: opened().context, planner: await choosePlanner('builtin'), text, conversationId }),
  };
}

/** The calls of a turn that proposed a write. */
export const writes = (calls: AgentCall[]) => calls.filter((call) => call.proposal);

/** The calls of a turn that ran the read `operation`. */
export const reads = (calls: AgentCall[], operation: string) => calls.filter((call) => call.operation === operation);
