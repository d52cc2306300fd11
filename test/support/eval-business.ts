/**
 * The eval business (src/demo/eval-business.ts) on this run's test store, with an operation context for any of
 * its members: what the agent tests ask the built-in planner against.
 */
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
