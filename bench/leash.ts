/**
 * The leash's own costs: the gate's decision, a proposal against the raw fact look-up it needs, and the audit
 * chain (append rate against a plain single-row insert, verify rate over a long chain).
 */
import { sql } from 'kysely';
import { appendAuditEvent, appendAuditEvents } from '../src/audit/append-audit-event.ts';
import { verifyAuditChain } from '../src/audit/verify-audit-chain.ts';
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
import { type Latency, perSecond, summarise, timeEach } from './stats.ts';

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

const auditEvent = (orgId: string, index: number) => ({
  orgId,
  event: 'data.read' as const,
  actorId: 'mem_bench',
  actorEmail: 'bench@northwind.test',
  actorRole: 'billing_clerk',
  channel: 'cli',
  requestId: `req_${index}`,
  operation: 'get_invoice',
  customerId: `cus_${index % 1000}`,
  invoiceId: `in_${index}`,
  arguments: { number: `INV-${String(index).padStart(6, '0')}` },
  decision: { outcome: 'pass', reasons: [] },
  result: { rows: 1 },
});

/** Audit figures: appends (one transaction each) against a plain insert, then verify over `chainLength` rows. */
export async function measureAudit(
  store: Store,
  appends: number,
  chainLength: number,
  onProgress?: (progress: { phase: string; done: number; total: number }) => void,
) {
  const orgId = 'org_bench_audit';
  await sql`create table if not exists bench_plain_rows (id text primary key, body jsonb not null)`.execute(store.db);
  const plainStarted = performance.now();
  for (let index = 0; index < appends; index += 1)
    await store.db
      .transaction()
      .execute((trx) =>
        sql`insert into bench_plain_rows (id, body) values (${`row_${index}`}, ${JSON.stringify(auditEvent(orgId, index))}::jsonb)`.execute(
          trx,
        ),
      );
  const plainMs = performance.now() - plainStarted;
  await sql`drop table bench_plain_rows`.execute(store.db);

  const appendStarted = performance.now();
  for (let index = 0; index < appends; index += 1) await appendAuditEvent(store.db, auditEvent(orgId, index));
  const appendMs = performance.now() - appendStarted;

  // The rest of the chain with the batch API (1,000 events per call, one transaction each), then a full verify.
  const BATCH = 1_000;
  const batchedStarted = performance.now();
  for (let done = appends; done < chainLength; done += BATCH) {
    const end = Math.min(chainLength, done + BATCH);
    await appendAuditEvents(
      store.db,
      Array.from({ length: end - done }, (_, offset) => auditEvent(orgId, done + offset)),
    );
    onProgress?.({ phase: 'building an audit chain to verify', done: end, total: chainLength });
  }
  const batchedMs = performance.now() - batchedStarted;
  const verifyStarted = performance.now();
  const verdict = await verifyAuditChain(store.db, orgId);
  const verifyMs = performance.now() - verifyStarted;
  if (!verdict.ok || verdict.rows !== chainLength)
    throw new Error(`the bench chain did not verify: ${JSON.stringify(verdict)}`);
  return {
    appendPerSecond: perSecond(appends, appendMs),
    plainInsertPerSecond: perSecond(appends, plainMs),
    appendCostRatio: appendMs / plainMs,
    batchedAppendPerSecond: perSecond(chainLength - appends, batchedMs),
    verifyRows: verdict.rows,
    verifyPerSecond: perSecond(verdict.rows, verifyMs),
    verifySeconds: verifyMs / 1000,
  };
}
