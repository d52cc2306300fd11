/**
 * The bench's large demo businesses: one PGlite data directory and one PostgreSQL schema per size, built once
 * through the real demo generator (with a progress bar) and reused by later runs. A build that did not finish
 * (no ledger clock row, the generator's last write) is thrown away and rebuilt.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { createDemoOrg, DEMO_ORG } from '../src/auth/demo-members.ts';
import { progressBar } from '../src/cli/progress.ts';
import { type DemoSummary, generateDemo } from '../src/demo/generate-demo.ts';
import { openStore, type Store, type StoreKind } from '../src/store/db.ts';
import { copyDatasetToPglite } from './copy-dataset.ts';

/** Everything that decides the business: the same values give the same data. */
export const BENCH_DEMO = { seed: 'bench', months: 24, endAt: new Date('2026-11-22T00:00:00Z') } as const;

/** An open bench business. */
export interface Dataset {
  store: Store;
  orgId: string;
  customers: number;
  invoices: number;
  /** The build's summary, when this run (or an earlier one that recorded it) built it. */
  build: (DemoSummary & { builtInThisRun: boolean }) | null;
}

/** Where a store's bench business lives. */
export interface DatasetPlace {
  kind: StoreKind;
  /** PGlite: the cache directory (`.bench` by default). PostgreSQL: the database URL. */
  location: string;
}

async function completed(store: Store): Promise<boolean> {
  const clock = await store.db
    .selectFrom('ledgerClocks')
    .select('now')
    .where('orgId', '=', DEMO_ORG.id)
    .executeTakeFirst();
  return clock !== undefined;
}

async function count(store: Store, table: 'customers' | 'invoices'): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('orgId', '=', DEMO_ORG.id)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function openPlace(place: DatasetPlace, customers: number): Promise<Store> {
  if (place.kind === 'pglite') return openStore({ dataDir: join(place.location, `pglite-${customers}`) });
  return openStore({ databaseUrl: place.location, schema: `leash_bench_${customers}` });
}

async function wipe(place: DatasetPlace, customers: number, store: Store): Promise<void> {
  if (place.kind === 'pglite') {
    await store.close();
    rmSync(join(place.location, `pglite-${customers}`), { recursive: true, force: true });
  } else {
    // The Stripe mirror's schema (`<schema>_stripe`) goes too, or the next migration finds its tables.
    for (const schema of [`leash_bench_${customers}`, `leash_bench_${customers}_stripe`])
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  }
}

/** Builds the PGlite business at `dataDir` as a copy of the PostgreSQL one, and records the copy. */
async function copyFromPostgres(databaseUrl: string, customers: number, cacheDir: string, dataDir: string) {
  const source = await openDataset({ kind: 'postgres', location: databaseUrl }, customers, cacheDir);
  try {
    // An empty, migrated store first, so the copy fills the tables this version of Leash makes.
    await (await openStore({ dataDir })).close();
    process.stderr.write(`Copying the ${customers}-customer bench business from PostgreSQL into PGlite (once)…\n`);
    const bar = progressBar(true);
    const started = performance.now();
    try {
      const copied = await copyDatasetToPglite(
        source.store,
        databaseUrl,
        `leash_bench_${customers}`,
        dataDir,
        bar.onProgress,
      );
      const pglite = recordPath({ kind: 'pglite', location: '' }, customers, cacheDir);
      const built = recordPath({ kind: 'postgres', location: '' }, customers, cacheDir);
      const summary = existsSync(built) ? JSON.parse(readFileSync(built, 'utf8')) : {};
      writeFileSync(
        pglite,
        `${JSON.stringify({ ...summary, copiedFromPostgres: { rows: copied, seconds: (performance.now() - started) / 1000 } }, null, 2)}\n`,
      );
    } finally {
      bar.stop();
    }
  } finally {
    await source.store.close();
  }
}

function recordPath(place: DatasetPlace, customers: number, cacheDir: string): string {
  return join(cacheDir, `${place.kind}-${customers}.build.json`);
}

/**
 * Opens the bench business of `customers` customers on a store, building it first when missing. With
 * `copyFrom` (a PostgreSQL URL), a missing PGlite business is copied from the PostgreSQL one (built first when
 * missing too) instead of generated: the same rows in minutes instead of hours (bench/copy-dataset.ts).
 */
export async function openDataset(
  place: DatasetPlace,
  customers: number,
  cacheDir: string,
  options: { copyFrom?: string } = {},
): Promise<Dataset> {
  mkdirSync(resolve(cacheDir), { recursive: true });
  let store = await openPlace(place, customers);
  const record = recordPath(place, customers, cacheDir);
  let build: Dataset['build'] = null;
  if (!(await completed(store)) && place.kind === 'pglite' && options.copyFrom) {
    await wipe(place, customers, store);
    await copyFromPostgres(options.copyFrom, customers, cacheDir, join(place.location, `pglite-${customers}`));
    store = await openPlace(place, customers);
    if (existsSync(record))
      build = { ...(JSON.parse(readFileSync(record, 'utf8')) as DemoSummary), builtInThisRun: false };
  } else if (!(await completed(store))) {
    await wipe(place, customers, store);
    store = await openPlace(place, customers);
    process.stderr.write(`Building the ${customers}-customer bench business on ${place.kind} (once; reused later)…\n`);
    const bar = progressBar(true);
    try {
      const { org } = await createDemoOrg(store.db);
      const summary = await generateDemo(store, {
        orgId: org.id,
        customers,
        ...BENCH_DEMO,
        onProgress: bar.onProgress,
      });
      writeFileSync(record, `${JSON.stringify(summary, null, 2)}\n`);
      build = { ...summary, builtInThisRun: true };
    } finally {
      bar.stop();
    }
  } else if (existsSync(record)) {
    build = { ...(JSON.parse(readFileSync(record, 'utf8')) as DemoSummary), builtInThisRun: false };
  }
  return {
    store,
    orgId: DEMO_ORG.id,
    customers: await count(store, 'customers'),
    invoices: await count(store, 'invoices'),
    build,
  };
}
