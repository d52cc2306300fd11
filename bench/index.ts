/**
 * `npm run bench`: Leash's performance figures, each next to a baseline measured in the same run.
 *
 *   demo generation     customers, invoices and rows per second (a fresh 2,000-customer business)
 *   look-ups            customer and invoice look-ups p50/p95 on a 100k-customer / 1M-invoice business,
 *                       PGlite and PostgreSQL side by side (ratio to a `select 1` round trip)
 *   gate                decision p50/p99 (target p99 < 1 ms)
 *   propose             a refund proposal against the raw fact look-up it needs (ratio)
 *   audit               the signed audit log, PGlite and PostgreSQL: a plain single-row insert, the unsigned append,
 *                       the signed append (target ≤ 1.5× the insert), batch appends (target ≥ 2,000 events/s) and
 *                       verify with signatures and checkpoints (target ≥ 10,000 events/s), all in the same run
 *   insights            MRR movements, failure rates, expansion, churn, overdue, double charges on the large business,
 *                       PGlite and PostgreSQL (ratio to reading every invoice line once)
 *   classifier          the ticket classifier: training time, classifications/s (ratio to tokenising alone),
 *                       held-out accuracy and macro-F1
 *   agent               the built-in planner per request (form match, whole turn) vs the same calls made directly;
 *                       the LLM planner's overhead per turn with a model that answers at once; paraphrase success
 *   http                the server on the large business: requests/s and p50/p95 under 50 connections
 *                       (autocannon; ratio to GET /health) and MCP tool-call latency over HTTP vs the same REST read
 *   stripe              the Stripe backfill against the offline fake at the test-mode rate limit (25 requests/s), as
 *                       a ratio to that bound (target ≥ 0.9); webhook ingestion over HTTP vs applying events directly
 *   cli                 the `leash` command's start: --help, a read opening the embedded store, a read through a
 *                       running server's local channel, vs bare `node -e 0` and opening PGlite alone
 *   mcp                 the MCP tool list each demo member's assistant loads (tools/list through the SDK client):
 *                       tools, bytes and ≈tokens, against the whole list (every tool, as the owner sees it)
 *   claims              the reply claim checker: precision/recall (draft and sentence level) on the labelled
 *                       drafts and on the held-out set when present, and latency per draft
 *   scale               1, 2 and 3 `leash start` processes on one PostgreSQL database (autocannon on loopback): a read
 *                       and a propose+confirm mix, requests/s and the ratio to one process; the pg-boss job queue's
 *                       throughput with 1, 2 and 3 workers (issue 19)
 *   web                 the dashboard's first load in Chromium on localhost (empty cache, then warm) vs navigating
 *                       to GET /health; the first load's JavaScript gzipped
 *
 * The large businesses are built once into `.bench/` (PGlite) and a `leash_bench_N` schema (PostgreSQL), and
 * reused. Results are also written to bench/results/<time>.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { sql } from 'kysely';
import { createDemoOrg } from '../src/auth/demo-members.ts';
import { progressBar } from '../src/cli/progress.ts';
import { generateDemo } from '../src/demo/generate-demo.ts';
import { openStore, type Store } from '../src/store/db.ts';
import { measureAgent, toolTokensLine } from './agent.ts';
import { type AuditFigures, measureAudit, printAuditFigures } from './audit.ts';
import { benchClaims } from './claims.ts';
import { benchClassifier } from './classifier.ts';
import { measureCli } from './cli.ts';
import { BENCH_DEMO, type Dataset, type DatasetPlace, openDataset } from './dataset.ts';
import { type HttpFigures, measureHttp } from './http.ts';
import { type InsightFigure, measureInsights } from './insights.ts';
import { measureGate, measurePropose } from './leash.ts';
import { type LookupFigure, measureLookups } from './lookups.ts';
import { measureMcpToolLists } from './mcp.ts';
import { measureParser } from './parser.ts';
import { measureScale } from './scale.ts';
import { ms, perSecond, printTable } from './stats.ts';
import { measureStripe } from './stripe.ts';
import { measureWeb } from './web.ts';

interface BenchOptions {
  customers: string;
  samples: string;
  cache: string;
  postgres: string | false;
  pglite: boolean;
  auditChain: string;
  insightSamples: string;
  quick?: boolean;
  only?: string;
}

const SECTIONS = [
  'demo',
  'gate',
  'propose',
  'audit',
  'lookups',
  'insights',
  'classifier',
  'agent',
  'http',
  'stripe',
  'web',
  'cli',
  'mcp',
  'claims',
  'parser',
  'scale',
] as const;

const program = new Command('npm run bench --')
  .description(
    "Measure Leash's performance: demo generation, look-ups at scale, the gate, proposals and the audit log.",
  )
  .option('--customers <N>', 'size of the look-up business (about 11 invoices per customer)', '100000')
  .option('--samples <N>', 'look-ups and proposals timed per figure', '500')
  .option('--insight-samples <N>', 'times each insight query runs', '5')
  .option('--cache <dir>', 'where the PGlite bench business is kept between runs', '.bench')
  .addOption(
    new Option('--postgres <url>', 'PostgreSQL to measure side by side')
      .env('BENCH_DATABASE_URL')
      .default(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'),
  )
  .option('--no-postgres', 'measure PGlite only')
  .option('--no-pglite', 'measure the 100,000-customer business on PostgreSQL only (look-ups, insights, HTTP)')
  .option('--audit-chain <N>', 'length of the audit chain to verify', '100000')
  .option('--quick', 'a small run for a quick look: 2,000 customers, 200 samples, a 10,000-event chain')
  .option('--only <sections>', `run only these sections, comma-separated: ${SECTIONS.join(', ')}`)
  .addHelpText(
    'after',
    '\nThe first run builds the look-up business (100,000 customers take a while; a progress bar shows how far).\nLater runs reuse it.',
  )
  .parse(process.argv);

const options = program.opts<BenchOptions>();
const positive = (name: string, value: string) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    process.stderr.write(`bench: --${name} must be a positive whole number, not "${value}"\n`);
    process.exit(2);
  }
  return parsed;
};
const customers = options.quick ? 2_000 : positive('customers', options.customers);
const samples = options.quick ? 200 : positive('samples', options.samples);
const chainLength = options.quick ? 10_000 : positive('audit-chain', options.auditChain);
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  node: process.version,
  customers,
  samples,
};

function heading(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

/** A fresh PostgreSQL schema for one measurement, dropped afterwards. */
async function withPostgresScratch<T>(name: string, work: (store: Store) => Promise<T>): Promise<T> {
  const schema = `leash_bench_${name}_${process.pid}`;
  const store = await openStore({ databaseUrl: options.postgres as string, schema });
  try {
    return await work(store);
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  }
}

async function withPgliteScratch<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: 'memory://' });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function postgresReachable(): Promise<boolean> {
  if (options.postgres === false) return false;
  try {
    const store = await openStore({ databaseUrl: options.postgres, migrate: false });
    await store.close();
    return true;
  } catch (error) {
    process.stderr.write(
      `PostgreSQL at ${options.postgres} is unreachable (${(error as Error).message}); PGlite only.\n`,
    );
    return false;
  }
}

// --- Demo generation ----------------------------------------------------------------------------------------

async function demoGeneration(): Promise<void> {
  heading('Demo generation (2,000 customers, 24 months, through the ledger engine, PGlite in memory)');
  const summary = await withPgliteScratch(async (store) => {
    const { org } = await createDemoOrg(store.db);
    const started = performance.now();
    const built = await generateDemo(store, { orgId: org.id, customers: 2_000, ...BENCH_DEMO });
    return { ...built, ms: performance.now() - started };
  });
  const figures = {
    seconds: summary.ms / 1000,
    customersPerSecond: perSecond(summary.customers, summary.ms),
    invoicesPerSecond: perSecond(summary.invoices, summary.ms),
    rowsPerSecond: perSecond(summary.rowsWritten, summary.ms),
    invoices: summary.invoices,
    rows: summary.rowsWritten,
  };
  results.demoGeneration = figures;
  printTable(
    ['customers', 'invoices', 'rows', 'seconds', 'customers/s', 'invoices/s', 'rows/s'],
    [
      [
        '2,000',
        figures.invoices.toLocaleString('en-US'),
        figures.rows.toLocaleString('en-US'),
        figures.seconds.toFixed(1),
        figures.customersPerSecond.toLocaleString('en-US'),
        figures.invoicesPerSecond.toLocaleString('en-US'),
        figures.rowsPerSecond.toLocaleString('en-US'),
      ],
    ],
  );
}

/**
 * How a missing PGlite business is made: copied from the PostgreSQL one when PostgreSQL is measured too (the same
 * rows, minutes instead of hours), else generated.
 */
function datasetOptions(withPostgres: boolean): { copyFrom?: string } {
  return withPostgres ? { copyFrom: options.postgres as string } : {};
}

/** The stores the look-up business is measured on: PGlite unless --no-pglite, PostgreSQL unless --no-postgres. */
function datasetPlaces(withPostgres: boolean): DatasetPlace[] {
  const places: DatasetPlace[] = [];
  if (options.pglite) places.push({ kind: 'pglite', location: options.cache });
  if (withPostgres) places.push({ kind: 'postgres', location: options.postgres as string });
  return places;
}

// --- Look-ups at scale --------------------------------------------------------------------------------------

async function lookups(withPostgres: boolean): Promise<void> {
  const places = datasetPlaces(withPostgres);
  const measured: { dataset: Dataset; figures: LookupFigure[] }[] = [];
  for (const place of places) {
    const dataset = await openDataset(place, customers, options.cache, datasetOptions(withPostgres));
    try {
      process.stderr.write(`Timing look-ups on ${place.kind}…\n`);
      measured.push({ dataset, figures: await measureLookups(dataset, samples) });
    } finally {
      await dataset.store.close();
    }
  }
  const sizes = measured
    .map(
      ({ dataset }) =>
        `${dataset.store.kind}: ${dataset.customers.toLocaleString('en-US')} customers, ${dataset.invoices.toLocaleString('en-US')} invoices`,
    )
    .join('; ');
  heading(`Look-ups, p50 / p95 over ${samples} samples (${sizes})`);
  const names = measured[0]?.figures.map((figure) => figure.name) ?? [];
  const rows = names.map((name) => [
    name,
    ...measured.flatMap(({ figures }) => {
      const figure = figures.find((candidate) => candidate.name === name);
      const baseline = figures[0]?.latency.p50 ?? Number.NaN;
      if (!figure) return ['—', '—', '—'];
      return [ms(figure.latency.p50), ms(figure.latency.p95), `${(figure.latency.p50 / baseline).toFixed(1)}×`];
    }),
  ]);
  printTable(
    ['look-up', ...measured.flatMap(({ dataset }) => [`${dataset.store.kind} p50`, 'p95', 'vs select 1'])],
    rows,
  );
  results.lookups = measured.map(({ dataset, figures }) => ({
    store: dataset.store.kind,
    customers: dataset.customers,
    invoices: dataset.invoices,
    build: dataset.build,
    figures,
  }));
  for (const { dataset } of measured)
    if (dataset.build)
      process.stdout.write(
        `${dataset.store.kind} business ${dataset.build.builtInThisRun ? 'built in this run' : 'built earlier'}: ${dataset.build.customers.toLocaleString('en-US')} customers, ${dataset.build.invoices.toLocaleString('en-US')} invoices, ${dataset.build.rowsWritten.toLocaleString('en-US')} rows in ${dataset.build.seconds.toFixed(0)} s (${perSecond(dataset.build.invoices, dataset.build.seconds * 1000).toLocaleString('en-US')} invoices/s)\n`,
      );
}

// --- Insights at scale -------------------------------------------------------------------------------------

async function insights(withPostgres: boolean): Promise<void> {
  const insightSamples = options.quick ? 2 : positive('insight-samples', options.insightSamples);
  const places = datasetPlaces(withPostgres);
  const measured: { dataset: Dataset; figures: InsightFigure[] }[] = [];
  for (const place of places) {
    const dataset = await openDataset(place, customers, options.cache, datasetOptions(withPostgres));
    try {
      process.stderr.write(`Timing insights on ${place.kind}…\n`);
      measured.push({ dataset, figures: await measureInsights(dataset, insightSamples) });
    } finally {
      await dataset.store.close();
    }
  }
  heading(
    `Insights through the pipeline, p50 / max over ${insightSamples} runs (${measured
      .map(({ dataset }) => `${dataset.store.kind}: ${dataset.invoices.toLocaleString('en-US')} invoices`)
      .join('; ')})`,
  );
  const names = measured[0]?.figures.map((figure) => figure.name) ?? [];
  printTable(
    ['insight', ...measured.flatMap(({ dataset }) => [`${dataset.store.kind} p50`, 'max', 'vs line scan'])],
    names.map((name) => [
      name,
      ...measured.flatMap(({ figures }) => {
        const figure = figures.find((candidate) => candidate.name === name);
        const baseline = figures[0]?.latency.p50 ?? Number.NaN;
        if (!figure) return ['—', '—', '—'];
        return [ms(figure.latency.p50), ms(figure.latency.max), `${(figure.latency.p50 / baseline).toFixed(1)}×`];
      }),
    ]),
  );
  results.insights = measured.map(({ dataset, figures }) => ({
    store: dataset.store.kind,
    customers: dataset.customers,
    invoices: dataset.invoices,
    figures,
  }));
}

// --- The HTTP server and MCP over HTTP ---------------------------------------------------------------------

async function http(withPostgres: boolean): Promise<void> {
  const places = datasetPlaces(withPostgres);
  const measured: HttpFigures[] = [];
  for (const place of places) {
    // Made here when missing (copied from PostgreSQL when measured too), so the server process only opens it.
    await (await openDataset(place, customers, options.cache, datasetOptions(withPostgres))).store.close();
    process.stderr.write(`Loading the server on ${place.kind}…\n`);
    measured.push(
      await measureHttp(place, customers, options.cache, {
        seconds: options.quick ? 3 : 10,
        samples: options.quick ? 100 : 500,
      }),
    );
  }
  heading(
    `HTTP reads under 50 concurrent connections (autocannon on loopback, ${customers.toLocaleString('en-US')} customers)`,
  );
  printTable(
    ['store', 'request', 'requests/s', 'p50', 'p95', 'p99', 'vs /health', 'non-2xx / timeouts', 'which'],
    measured.flatMap((figures) => {
      const baseline = figures.load[0]?.requestsPerSecond ?? Number.NaN;
      return figures.load.map((figure) => [
        figures.store,
        figure.name,
        figure.requestsPerSecond.toLocaleString('en-US'),
        ms(figure.latency.p50),
        ms(figure.latency.p95),
        ms(figure.latency.p99),
        `${(baseline / Math.max(1, figure.requestsPerSecond)).toFixed(1)}× slower`,
        String(figure.non2xx + figure.errors),
        Object.entries(figure.statuses)
          .map(([status, count]) => `${status}: ${count}`)
          .join(', '),
      ]);
    }),
  );
  heading('MCP tool call over streamable HTTP (get_customer, one at a time) vs the same read over REST');
  printTable(
    ['store', 'MCP p50', 'MCP p95', 'REST p50', 'REST p95', 'MCP overhead'],
    measured.map((figures) => [
      figures.store,
      ms(figures.mcp.toolCall.p50),
      ms(figures.mcp.toolCall.p95),
      ms(figures.mcp.restSameRead.p50),
      ms(figures.mcp.restSameRead.p95),
      `${(figures.mcp.toolCall.p50 / figures.mcp.restSameRead.p50).toFixed(1)}×`,
    ]),
  );
  results.http = measured;
}

// --- Scale-out: several server processes on one PostgreSQL (issue 19) ----------------------------------------

async function scale(withPostgres: boolean): Promise<void> {
  if (!withPostgres) {
    process.stderr.write('bench scale needs PostgreSQL (--postgres); skipped.\n');
    return;
  }
  const figures = await measureScale(options.postgres as string, {
    seconds: options.quick ? 4 : 8,
    jobs: options.quick ? 200 : 600,
  });
  results.scale = figures;
  heading(
    `Server processes on one PostgreSQL (autocannon on loopback, 24 connections spread over the processes; ${figures.cores} cores)`,
  );
  const one = (request: string) =>
    figures.load.find((f) => f.servers === 1 && f.request === request)?.requestsPerSecond;
  printTable(
    ['processes', 'request', '2xx requests/s', 'vs 1 process', 'non-2xx / errors', 'statuses'],
    figures.load.map((figure) => [
      String(figure.servers),
      figure.request,
      figure.requestsPerSecond.toLocaleString('en-US'),
      `${(figure.requestsPerSecond / Math.max(1, one(figure.request) ?? 1)).toFixed(2)}×`,
      String(figure.non2xx),
      Object.entries(figure.statuses)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', '),
    ]),
  );
  heading('Job queue (pg-boss): no-op jobs claimed and completed per second, workers with their own connections');
  const single = figures.jobs[0]?.jobsPerSecond ?? 1;
  printTable(
    ['workers', 'jobs', 'jobs/s', 'vs 1 worker'],
    figures.jobs.map((figure) => [
      String(figure.workers),
      figure.jobs.toLocaleString('en-US'),
      figure.jobsPerSecond.toLocaleString('en-US'),
      `${(figure.jobsPerSecond / Math.max(1, single)).toFixed(2)}×`,
    ]),
  );
  process.stdout.write(
    `\nOn ${figures.cores} cores the server processes, PostgreSQL and autocannon share the same CPUs: a process added\n` +
      'helps only while requests wait on the database rather than on CPU, and stops helping once the cores are busy.\n' +
      'Ratios above 1× here come from overlapping those waits, not from more CPU; real scaling needs cores or machines\n' +
      'per process and a database with headroom. Non-2xx writes are listed by status: they are refused, not lost.\n',
  );
}

// --- MCP tool lists -------------------------------------------------------------------------------------------

async function mcp(): Promise<void> {
  heading('MCP tools/list per demo member (real SDK client, in-memory transport; tokens ≈ bytes / 4)');
  const figures = await measureMcpToolLists();
  results.mcp = figures;
  const whole = Math.max(...figures.map((figure) => figure.bytes));
  printTable(
    ['member', 'role', 'groups', 'tools', 'bytes', '≈tokens', 'vs whole list'],
    figures.map((figure) => [
      figure.email,
      figure.role,
      figure.groups.join(', ') || '—',
      String(figure.tools),
      figure.bytes.toLocaleString('en-US'),
      figure.tokens.toLocaleString('en-US'),
      `${((figure.bytes / whole) * 100).toFixed(0)}%`,
    ]),
  );
}

// --- The ticket classifier ----------------------------------------------------------------------------------

async function classifier(): Promise<void> {
  heading('Ticket classifier (trained in process on data/classify; held-out split)');
  const figures = await benchClassifier();
  results.classifier = figures;
  printTable(
    [
      'load data',
      'train',
      'train rows',
      'classifications/s',
      'vs tokenising only',
      'accuracy',
      'macro-F1',
      'held-out rows',
    ],
    [
      [
        ms(figures.loadMs),
        ms(figures.trainMs),
        figures.trainRows.toLocaleString('en-US'),
        figures.classificationsPerSecond.toLocaleString('en-US'),
        `${(figures.tokenizePerSecond / figures.classificationsPerSecond).toFixed(1)}× slower`,
        figures.accuracy.toFixed(3),
        figures.macroF1.toFixed(3),
        figures.testRows.toLocaleString('en-US'),
      ],
    ],
  );
  printTable(
    ['held-out source', 'rows', 'accuracy', 'macro-F1', 'OOD false positives', 'calibration error (ECE)'],
    figures.sources.map((source) => [
      source.source,
      source.rows.toLocaleString('en-US'),
      source.accuracy.toFixed(3),
      source.macroF1.toFixed(3),
      `${(source.oodFalsePositiveRate * 100).toFixed(1)}%`,
      source.calibrationError.toFixed(3),
    ]),
  );
}

// --- Stripe ---------------------------------------------------------------------------------------------------

async function stripe(): Promise<void> {
  process.stderr.write('Copying a demo business into the Stripe fake and mirroring it at 25 requests/s…\n');
  const figures = await measureStripe(options.quick ? 100 : 300, options.quick ? 500 : 2_000);
  results.stripe = figures;
  heading(
    `Stripe backfill from the offline fake (${figures.customers} customers, ${figures.objects} objects), paced at the test-mode limit of ${figures.rateLimit} requests/s`,
  );
  printTable(
    ['measure', 'value', 'bound', 'ratio to bound', 'target'],
    [
      [
        'backfill: requests',
        `${figures.requests} in ${figures.seconds.toFixed(2)} s`,
        `${figures.boundSeconds.toFixed(2)} s at ${figures.rateLimit}/s`,
        figures.ratio.toFixed(3),
        `≥ 0.9: ${figures.ratio >= 0.9 ? 'met' : 'MISSED'}`,
      ],
      ['backfill: objects/s', figures.objectsPerSecond.toFixed(0), `${figures.rateLimit * 100} (full pages)`, '', ''],
      ['backfill: 429s from the fake', String(figures.rateLimited), '0', '', ''],
      [
        `webhooks over HTTP (${figures.webhook.concurrency} at a time): events/s`,
        figures.webhook.perSecond.toFixed(0),
        `${figures.webhook.directPerSecond.toFixed(0)} (applied directly)`,
        (figures.webhook.perSecond / figures.webhook.directPerSecond).toFixed(2),
        '',
      ],
    ],
  );
}

// --- The claim checker ------------------------------------------------------------------------------------------

function claims(): void {
  const figures = benchClaims(options.quick ? 20 : 100);
  results.claims = figures;
  heading(
    'Reply claim checker: unsafe drafts (draft level) and unbacked sentences (sentence level); check time per draft',
  );
  printTable(
    ['set', 'drafts', 'draft P', 'draft R', 'sentence P', 'sentence R', 'p50', 'p95', 'target'],
    figures.sets.map((set) => [
      `${set.name} (${set.path})`,
      `${set.drafts} (${set.unsafe} unsafe)`,
      set.draftLevel.precision.toFixed(3),
      set.draftLevel.recall.toFixed(3),
      set.sentenceLevel.precision.toFixed(3),
      set.sentenceLevel.recall.toFixed(3),
      ms(set.latency.p50),
      ms(set.latency.p95),
      `P ≥ 0.9, R ≥ 0.95: ${set.draftLevel.precision >= 0.9 && set.draftLevel.recall >= 0.95 ? 'met' : 'MISSED'}`,
    ]),
  );
}

// --- The dashboard --------------------------------------------------------------------------------------------

async function web(): Promise<void> {
  process.stderr.write('Building a demo business and loading the dashboard in Chromium…\n');
  const figures = await measureWeb(options.quick ? 3 : 10);
  results.web = figures;
  heading(
    `Dashboard first load on localhost (Chromium headless, ${figures.rounds} fresh contexts; first load's JavaScript ${(figures.entryGzipBytes / 1024).toFixed(1)} KB gzipped)`,
  );
  printTable(
    ['measure', 'p50', 'p95', 'baseline p50', 'ratio'],
    [
      [
        'empty cache: load event',
        ms(figures.coldLoad.p50),
        ms(figures.coldLoad.p95),
        `${ms(figures.health.p50)} (GET /health)`,
        `${(figures.coldLoad.p50 / figures.health.p50).toFixed(1)}×`,
      ],
      ['empty cache: signed-in page on screen', ms(figures.coldReady.p50), ms(figures.coldReady.p95), '', ''],
      ['warm cache: signed-in page on screen', ms(figures.warmReady.p50), ms(figures.warmReady.p95), '', ''],
    ],
  );
}

// --- The agent ----------------------------------------------------------------------------------------------

async function parser(): Promise<void> {
  process.stderr.write('Scoring the built-in planner on the held-out requests…\n');
  const sets = [
    'evals/heldout/requests.yaml',
    'evals/heldout-v2/requests.yaml',
    'evals/heldout-v3/requests.yaml',
    'evals/heldout-v4/requests.yaml',
    'evals/heldout-v5/requests.yaml',
    'evals/heldout-v6/requests.yaml',
    'evals/heldout-v7/requests.yaml',
    'evals/heldout-v8/requests.yaml',
    'evals/dev/requests.yaml',
  ].filter((path) => existsSync(path));
  const all: Record<string, unknown> = {};
  for (const path of sets) await parserSet(path, all);
  results.parser = all;
}

async function parserSet(path: string, all: Record<string, unknown>): Promise<void> {
  const figures = await measureParser(path);
  all[path] = figures;
  heading(
    `Request parser: ${figures.requests} held-out requests (${path}, written by a helper who never saw the parser)`,
  );
  const share = (count: number, total: number) =>
    `${count}/${total} (${((100 * count) / Math.max(1, total)).toFixed(1)}%)`;
  printTable(
    ['measure', 'value'],
    [
      ['parse + classify one request (no store), p50 / p95', `${ms(figures.parse.p50)} / ${ms(figures.parse.p95)}`],
      [
        'baseline: the old regex form matcher, same requests, p50 / p95',
        figures.oldMatcher
          ? `${ms(figures.oldMatcher.p50)} / ${ms(figures.oldMatcher.p95)} (parser ${(figures.parse.p50 / figures.oldMatcher.p50).toFixed(1)}× at p50)`
          : 'not available (needs the git history)',
      ],
      [
        'first use: train the intent classifier',
        figures.firstTrainMs >= 1 ? `${figures.firstTrainMs.toFixed(0)} ms` : '(trained for the first set)',
      ],
      ['right operation', share(figures.rightOperation, figures.requests)],
      ['right operation with the right arguments', share(figures.rightArguments, figures.requests)],
      ['wrong-target proposals', String(figures.wrongTarget)],
      ['clarifying questions asked (all requests)', String(figures.clarifyAsked)],
      ['clarify expected and asked', share(figures.clarifyRight, figures.clarifyExpected)],
      ['decline expected and nothing proposed', share(figures.declineRight, figures.declineExpected)],
    ],
  );
  printTable(
    ['class', 'right with arguments'],
    Object.entries(figures.byClass).map(([name, entry]) => [name, share(entry.right, entry.total)]),
  );
}

async function agent(): Promise<void> {
  process.stderr.write('Building the eval business and timing the agent…\n');
  const figures = await measureAgent(options.quick ? 2 : 5);
  results.agent = figures;
  heading(
    `Agent on the eval business (120 customers, PGlite in memory): ${figures.requests} single-request seed examples`,
  );
  printTable(
    ['measure', 'p50', 'p95', 'baseline p50', 'ratio'],
    [
      ['built-in: match a form (no store)', ms(figures.formMatch.p50), ms(figures.formMatch.p95), '', ''],
      [
        'built-in: whole turn',
        ms(figures.builtinTurn.p50),
        ms(figures.builtinTurn.p95),
        `${ms(figures.directCalls.p50)} (same calls, direct)`,
        `${(figures.builtinTurn.p50 / figures.directCalls.p50).toFixed(1)}×`,
      ],
      [
        'llm: whole turn, model answering at once',
        ms(figures.llmTurn.p50),
        ms(figures.llmTurn.p95),
        `${ms(figures.llmDirectCall.p50)} (the read, direct)`,
        `${(figures.llmTurn.p50 / figures.llmDirectCall.p50).toFixed(1)}×`,
      ],
      ['llm: of which the model endpoint (2 calls)', ms(2 * figures.llmModelServer.p50), '', '', ''],
      [
        'llm: agent overhead per turn (turn − read − model)',
        ms(figures.llmTurn.p50 - figures.llmDirectCall.p50 - 2 * figures.llmModelServer.p50),
        '',
        '',
        '',
      ],
    ],
  );
  process.stdout.write(
    `Built-in planner success: ${(figures.paraphraseSuccess * 100).toFixed(1)}% of ${figures.paraphraseScenarios} paraphrases (the set its forms were tuned on), ${(figures.heldOutSuccess * 100).toFixed(1)}% of ${figures.heldOutScenarios} held-out paraphrases.\n`,
  );
  process.stdout.write(toolTokensLine(figures.toolTokens));
}

// --- The CLI's start ---------------------------------------------------------------------------------------

async function cli(): Promise<void> {
  process.stderr.write('Timing the leash command (whole processes)…\n');
  const figures = await measureCli(options.cache, options.quick ? 5 : 15);
  results.cli = figures;
  const bare = figures.bareNode.p50;
  const ownStoreBound = bare + figures.pgliteOpen.p50 + 150;
  heading(`The leash command's start: wall time of whole processes, p50 / p95 over ${figures.runs} runs`);
  printTable(
    ['process', 'p50', 'p95', 'vs bare Node', 'target', ''],
    [
      ['node -e 0 (bare Node)', ms(bare), ms(figures.bareNode.p95), '1.0×', '', ''],
      ['PGlite open (import + open demo dir)', ms(figures.pgliteOpen.p50), ms(figures.pgliteOpen.p95), '', '', ''],
      [
        'leash --help',
        ms(figures.help.p50),
        ms(figures.help.p95),
        `${(figures.help.p50 / bare).toFixed(1)}×`,
        '≤ 3× bare',
        figures.help.p50 <= 3 * bare ? 'met' : 'MISSED',
      ],
      [
        'leash customers acme (opens the store)',
        ms(figures.readOwnStore.p50),
        ms(figures.readOwnStore.p95),
        `${(figures.readOwnStore.p50 / bare).toFixed(1)}×`,
        `≤ bare + PGlite + 150 ms = ${ms(ownStoreBound)}`,
        figures.readOwnStore.p50 <= ownStoreBound ? 'met' : 'MISSED',
      ],
      [
        'leash customers acme (via running server)',
        ms(figures.readViaServer.p50),
        ms(figures.readViaServer.p95),
        `${(figures.readViaServer.p50 / bare).toFixed(1)}×`,
        '≤ 5× bare',
        figures.readViaServer.p50 <= 5 * bare ? 'met' : 'MISSED',
      ],
    ],
  );
}

// --- The leash ----------------------------------------------------------------------------------------------

async function gate(): Promise<void> {
  heading('Gate decision (in process: Cedar + rules), 20,000 varied requests');
  const { latency, outcomes } = await measureGate(20_000);
  results.gate = { latency, outcomes };
  printTable(
    ['p50', 'p95', 'p99', 'mean', 'target p99', 'outcomes'],
    [
      [
        ms(latency.p50),
        ms(latency.p95),
        ms(latency.p99),
        ms(latency.mean),
        `< 1 ms: ${latency.p99 < 1 ? 'met' : 'MISSED'}`,
        Object.entries(outcomes)
          .map(([outcome, count]) => `${outcome} ${count}`)
          .join(', '),
      ],
    ],
  );
}

async function propose(withPostgres: boolean): Promise<void> {
  const stores: { kind: string; run: <T>(work: (store: Store) => Promise<T>) => Promise<T> }[] = [
    { kind: 'pglite', run: withPgliteScratch },
  ];
  if (withPostgres) stores.push({ kind: 'postgres', run: (work) => withPostgresScratch('leash', work) });
  const figures: Record<string, unknown>[] = [];
  for (const { kind, run } of stores) {
    process.stderr.write(`Timing proposals on ${kind}…\n`);
    figures.push({ store: kind, ...(await run((store) => measurePropose(store, samples))) });
  }
  results.propose = figures;

  heading(`Propose a refund (validate, facts, preview, decide, reserve, approval request, audit) vs the raw fact read`);
  printTable(
    ['store', 'propose p50', 'p95', 'raw getCharge p50', 'overhead ratio'],
    figures.map((figure) => {
      const { propose: latency, rawFact, ratio } = figure as Awaited<ReturnType<typeof measurePropose>>;
      return [String(figure.store), ms(latency.p50), ms(latency.p95), ms(rawFact.p50), `${ratio.toFixed(1)}×`];
    }),
  );
}

async function audit(withPostgres: boolean): Promise<void> {
  const stores: { kind: string; run: <T>(work: (store: Store) => Promise<T>) => Promise<T> }[] = [
    { kind: 'pglite', run: withPgliteScratch },
  ];
  if (withPostgres) stores.push({ kind: 'postgres', run: (work) => withPostgresScratch('audit', work) });
  const figures: (AuditFigures & { store: string })[] = [];
  for (const { kind, run } of stores) {
    process.stderr.write(`Timing the audit log on ${kind}…\n`);
    const bar = progressBar(true);
    try {
      const appends = Math.min(2_000, chainLength);
      figures.push({
        store: kind,
        ...(await run((store) => measureAudit(store, appends, chainLength, bar.onProgress))),
      });
    } finally {
      bar.stop();
    }
  }
  results.audit = figures;
  heading(
    `Audit log: plain single-row insert vs unsigned and signed single appends; batch appends (1,000 per call); verify (hashes, Ed25519 signatures, checkpoints) over ${chainLength.toLocaleString('en-US')} events`,
  );
  printAuditFigures(figures);
}

const only = options.only?.split(',').map((section) => section.trim()) ?? [...SECTIONS];
const unknown = only.filter((section) => !(SECTIONS as readonly string[]).includes(section));
if (unknown.length > 0) {
  process.stderr.write(`bench: --only: unknown section ${unknown.join(', ')} (choose from ${SECTIONS.join(', ')})\n`);
  process.exit(2);
}
results.sections = only;
const withPostgres = await postgresReachable();
if (only.includes('demo')) await demoGeneration();
if (only.includes('gate')) await gate();
if (only.includes('propose')) await propose(withPostgres);
if (only.includes('audit')) await audit(withPostgres);
if (only.includes('lookups')) await lookups(withPostgres);
if (only.includes('insights')) await insights(withPostgres);
if (only.includes('classifier')) await classifier();
if (only.includes('agent')) await agent();
if (only.includes('parser')) await parser();
if (only.includes('http')) await http(withPostgres);
if (only.includes('stripe')) await stripe();
if (only.includes('web')) await web();
if (only.includes('cli')) await cli();
if (only.includes('mcp')) await mcp();
if (only.includes('claims')) claims();
if (only.includes('scale')) await scale(withPostgres);

const dir = join('bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${String(results.at).replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\nSaved ${file}\n`);
