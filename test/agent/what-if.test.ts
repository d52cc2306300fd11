/**
 * Pricing what-ifs in chat on the default demo (`leash demo`'s defaults), through the built-in planner: the
 * three kinds of question reach simulate_pricing with the right arguments and change nothing; "make it so" right
 * after a simulation proposes the catalogue write it names, which waits for confirmation. Real store (PGlite, or
 * PostgreSQL with DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCall } from '../../src/agent/agent-types.ts';
import { builtinPlanner } from '../../src/agent/builtin/builtin-planner.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { findMemberByEmail, getOrg } from '../../src/auth/members.ts';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { loadGate } from '../../src/policy/decide.ts';
import type { Store } from '../../src/store/db.ts';
import { memberContext } from '../../src/surfaces/operation-context.ts';
import { generateStartDemo } from '../support/start-demo.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

describe(`pricing what-ifs in chat on the default demo (${testStoreKind})`, () => {
  let store: Store;
  let context: OperationContext;
  let ledger: LedgerConnector;
  const ask = (text: string, conversationId?: string) =>
    runAgentTurn({ context, planner: builtinPlanner(), text, conversationId });
  const simulation = (calls: readonly AgentCall[]) => calls.find((call) => call.operation === 'simulate_pricing');
  const catalogue = async () => JSON.stringify([await ledger.listProducts(), await ledger.listPrices()]);

  beforeAll(async () => {
    store = await openTestStore();
    const { org } = await createDemoOrg(store.db);
    await generateStartDemo(store, org.id);
    const member = await findMemberByEmail(store.db, org.id, 'fiona@northwind.test');
    const found = await getOrg(store.db, org.id);
    if (!member || !found) throw new Error('no demo member');
    context = memberContext({ store, org: found, member, gate: await loadGate(), channel: 'cli' });
    ledger = new LedgerConnector(store.db, org.id);
  }, 300_000);
  afterAll(async () => {
    await store?.close();
  });

  it('"What if we added a usage-based component to the Pro plan?" simulates a usage component on Pro', async () => {
    const before = await catalogue();
    const turn = await ask('What if we added a usage-based component to the Pro plan?');
    const call = simulation(turn.calls);
    expect(call?.outcome).toBe('read');
    expect(call?.input).toEqual({
      plan: 'Pro',
      change: { kind: 'usage_component', meter: 'api_calls_thousands', unit_amount: 50 },
    });
    expect(turn.calls.some((entry) => entry.proposal)).toBe(false);
    expect(turn.reply).toMatch(/With Pro plus \$0\.50 per 1,000 api calls over 100,000 api calls a month/);
    expect(turn.reply).toMatch(/actual vs \$[\d,.]+ simulated \(\+/);
    expect(turn.reply).toContain('No price was named');
    expect(turn.chart).not.toBeNull();
    expect(await catalogue()).toBe(before);
  }, 60_000);

  it('"what if Starter cost $12?" simulates the legacy Starter at $12.00 a month', async () => {
    const turn = await ask('what if Starter cost $12?');
    const call = simulation(turn.calls);
    expect(call?.input).toEqual({
      plan: 'Starter (legacy)',
      change: { kind: 'price', amount: 1_200, currency: 'usd', interval: 'month' },
    });
    expect(turn.reply).toMatch(/With Starter \(legacy\) at \$12\.00\/month/);
    expect(turn.reply).toMatch(/Would pay more: /);
  }, 60_000);

  it('"what if the annual discount on Pro were 25%?" simulates the annual discount', async () => {
    const turn = await ask('what if the annual discount on Pro were 25%?');
    expect(simulation(turn.calls)?.input).toEqual({
      plan: 'Pro',
      change: { kind: 'annual_discount', percent: 25 },
    });
    expect(turn.reply).toMatch(/Pro annual at 25% off 12 months \(now 16\.7%\)/);
  }, 60_000);

  it('"make it so" after a simulation proposes the price through the pipeline; nothing changes until confirmed', async () => {
    const before = await catalogue();
    const first = await ask('what if Starter cost $12?');
    const next = await ask('ok, make it so', first.conversationId);
    const proposal = next.calls.find((call) => call.proposal);
    expect(proposal?.operation).toBe('create_price');
    expect(proposal?.input).toMatchObject({ currency: 'usd', interval: 'month', unit_amount: 1_200, scheme: 'flat' });
    expect(['pass', 'warn']).toContain(proposal?.outcome);
    expect(proposal?.proposal?.status).not.toBe('executed');
    expect(next.reply).toContain('waits for confirmation');
    expect(await catalogue()).toBe(before);
  }, 60_000);

  it('"make it so" with no simulation before it is not taken for one', async () => {
    const turn = await ask('make it so');
    expect(simulation(turn.calls)).toBeUndefined();
    expect(turn.calls.some((call) => call.proposal)).toBe(false);
  }, 60_000);

  it('a what-if that names no plan asks which, and one that is not about pricing is left to the classifier', async () => {
    const which = await ask('what if the price went up to $15?');
    expect(simulation(which.calls)).toBeUndefined();
    expect(which.reply).toMatch(/^Which plan\? Name one of .*Pro/);
    const other = await ask('what if Acme Corp cancels?');
    expect(simulation(other.calls)).toBeUndefined();
  }, 60_000);
});
