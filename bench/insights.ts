/**
 * Insight queries on the large business, through the whole read pipeline (gate, connector, audit row), next
 * to a baseline that reads every invoice line of the org once (`count(*)`), since MRR is derived from them.
 */
import { sql } from 'kysely';
import { listMembers, listOrgs } from '../src/auth/members.ts';
import { operationContext } from '../src/cli/operation-context.ts';
import * as analytics from '../src/connectors/ledger/revenue-analytics.ts';
import { runRead } from '../src/operations/run-operation.ts';
import { loadGate } from '../src/policy/decide.ts';
import { BENCH_DEMO, type Dataset } from './dataset.ts';
import { type Latency, timeEach } from './stats.ts';

/** The bench business's last day: the insights' "now". */
const BENCH_END = BENCH_DEMO.endAt.getTime();

/** One measured insight. */
export interface InsightFigure {
  name: string;
  latency: Latency;
}

/** The insights and look-ups timed, with their inputs. */
const QUERIES: [string, string, Record<string, unknown>][] = [
  ['MRR movements, 12 months', 'mrr_movements', {}],
  ['MRR movements, 24 months', 'mrr_movements', { from: '2024-12' }],
  ['failure rate by region, 3 months', 'payment_failure_rates', {}],
  ['top 10 by expansion, 3 months', 'top_expansion', {}],
  ['involuntary churn, 6 months', 'involuntary_churn', {}],
  ['overdue by customer', 'overdue_summary', {}],
  ['failed payments, last 7 days', 'failed_payments', {}],
  ['double charges, 3 months', 'find_double_charges', {}],
];

/** Times each insight `samples` times (heavy queries: a few samples, one warm-up). */
export async function measureInsights(dataset: Dataset, samples: number): Promise<InsightFigure[]> {
  const { db } = dataset.store;
  const owner = (await listMembers(db, dataset.orgId)).find((member) => member.role === 'owner');
  const org = (await listOrgs(db)).find((candidate) => candidate.id === dataset.orgId);
  if (!owner || !org) throw new Error('the bench business has no org or owner');
  const gate = await loadGate();
  const session = { store: dataset.store, org, gate, close: async () => {} };
  const figures: InsightFigure[] = [];
  figures.push({
    name: 'baseline: count every invoice line',
    latency: await timeEach(
      samples,
      () => sql`select count(*) from invoice_lines where org_id = ${dataset.orgId}`.execute(db),
      1,
    ),
  });
  // The same answers read from every invoice line, as before the MRR facts (ADR 0026): the same-run "before".
  const now = new Date(BENCH_END);
  const monthsBack = (months: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + 1, 1));
  const before: [string, () => Promise<unknown>][] = [
    [
      'before facts: MRR movements, 12 months (every line)',
      () =>
        Promise.all([
          analytics.mrrAtFromLines(db, dataset.orgId, 'usd', monthsBack(12)),
          analytics.mrrMovementsFromLines(db, dataset.orgId, 'usd', monthsBack(12), now),
        ]),
    ],
    [
      'before facts: top 10 by expansion, 3 months (every line)',
      () => analytics.expansionFromLines(db, dataset.orgId, 'usd', monthsBack(3), now, 10),
    ],
    [
      'before facts: involuntary churn, 6 months (every line)',
      () => analytics.involuntaryChurnFromLines(db, dataset.orgId, monthsBack(6), now),
    ],
  ];
  for (const [name, run] of before) {
    process.stderr.write(`  ${name}…\n`);
    figures.push({ name, latency: await timeEach(samples, run, 1) });
  }
  for (const [name, operation, input] of QUERIES) {
    process.stderr.write(`  ${name}…\n`);
    figures.push({
      name,
      latency: await timeEach(samples, () => runRead(operationContext(session, owner, gate), operation, input), 1),
    });
  }
  return figures;
}
