/**
 * The leash's own costs: the gate's decision and a proposal against the raw fact look-up it needs (the audit
 * log's figures are in audit.ts).
 */
import { createDemoOrg, DEMO_MEMBERS } from '../src/auth/demo-members.ts';
import { findMemberByEmail, listOrgs } from '../src/auth/members.ts';
import { operationContext } from '../src/cli/operation-context.ts';
import { openConnector } from '../src/connectors/open-connector.ts';
import { generateDemo } from '../src/demo/generate-demo.ts';
import { proposeOperation } from '../src/operations/run-operation.ts';
import type { DecisionRequest, Gate } from '../src/policy/decide.ts';
import { loadGate } from '../src/policy/decide.ts';
import type { Store } from '../src/store/db.ts';
import { BENCH_DEMO } from './dataset.ts';
import { type Latency, summarise, timeEach } from './stats.ts';

const ROLES = ['owner', 'billing_manager', 'billing_clerk', 'read_only'] as const;

/** A spread of realistic gate requests: refunds and credits of many sizes, by every role, both profiles. */
function gateRequests(count: number): DecisionRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const role = ROLES[index % ROLES.length] as (typeof ROLES)[number];
    const refund = index % 3 !== 0;
    return {
      operation: refund ? 'refund_charge' : 'credit_customer',
      kind: refund ? 'money.refund' : 'money.credit',
      stage: 'propose',
      actor: { memberId: `mem_${index % 7}`, orgId: 'org_bench', email: `m${index % 7}@bench.test`, role, groups: [] },
      profile: index % 2 ? 'caps' : 'short-leash',
      context: {
        request_id: `req_${index}`,
        idempotency_key: `key_${index}`,
        actor: `mem_${index % 7}`,
        org: 'org_bench',
        channel: 'cli',
        reason: 'charged twice',
        case_id: `T-${index}`,
      },
      facts: {
        money: { amount: 1 + ((index * 7919) % 60_000), currency: index % 5 ? 'usd' : 'eur' },
        customerIds: [`cus_${index % 1000}`],
        targetCount: 1,
        reversible: !refund,
        refundableRemaining: 100_000,
        ...(refund ? { chargeCurrency: index % 5 ? 'usd' : 'eur' } : { customerCurrency: index % 5 ? 'usd' : 'eur' }),
      },
      usedToday: { amount: (index * 131) % 30_000, currency: index % 5 ? 'usd' : 'eur' },
    };
  });
}

/** Gate decision latency over `count` varied requests (pure, in process: Cedar plus the TypeScript rules). */
export async function measureGate(count: number): Promise<{ latency: Latency; outcomes: Record<string, number> }> {
  const gate: Gate = await loadGate();
  const requests = gateRequests(count);
  const outcomes: Record<string, number> = {};
  for (const request of requests.slice(0, 500)) gate.decide(request);
  const durations: number[] = [];
  for (const request of requests) {
    const started = performance.now();
    const decision = gate.decide(request);
    durations.push(performance.now() - started);
    outcomes[decision.outcome] = (outcomes[decision.outcome] ?? 0) + 1;
  }
  return { latency: summarise(durations), outcomes };
}

/** A proposal (validate, facts, preview, decide, reserve, approval request, audit) against its raw fact read. */
export async function measurePropose(
  store: Store,
  samples: number,
): Promise<{ propose: Latency; rawFact: Latency; ratio: number }> {
  const { org } = await createDemoOrg(store.db);
  await generateDemo(store, { orgId: org.id, customers: 200, ...BENCH_DEMO, months: 6 });
  const connector = openConnector(store.db, org.id);
  const charges = (await connector.listCharges({ status: 'succeeded', limit: 500 })).filter(
    (charge) => charge.amount - charge.amountRefunded >= 100,
  );
  if (charges.length === 0) throw new Error('the propose bench found no charges');
  const clerkEmail = DEMO_MEMBERS.find((member) => member.role === 'billing_clerk')?.email ?? '';
  const clerk = await findMemberByEmail(store.db, org.id, clerkEmail);
  const [current] = await listOrgs(store.db);
  if (!clerk || !current) throw new Error('the propose bench has no clerk');
  const gate = await loadGate();
  const session = { store, org: current, gate, close: async () => {} };
  const chargeAt = (index: number) => charges[index % charges.length] as (typeof charges)[number];
  const rawFact = await timeEach(samples, (index) => connector.getCharge(chargeAt(index).id));
  const propose = await timeEach(samples, (index) =>
    proposeOperation(operationContext(session, clerk, gate), 'refund_charge', {
      charge_id: chargeAt(index).id,
      amount: 100,
      reason: 'charged twice',
      case_id: `T-${index}`,
    }),
  );
  return { propose, rawFact, ratio: propose.p50 / rawFact.p50 };
}
