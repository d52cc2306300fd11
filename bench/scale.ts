/**
 * `npm run bench -- --only scale` (issue 19): several `leash start` processes (the compiled CLI) on one fresh
 * PostgreSQL database, loaded with autocannon on loopback — a read (get_customer) and a propose+confirm mix
 * (create_customer, then confirming it) — with 1, 2 and 3 server processes, each figure as a ratio to one process;
 * and the job queue's throughput (pg-boss, 1/2/3 workers, each with its own connections) against one worker.
 * Writes use many API keys so the shared write limit (120 a minute per credential) does not cap the figure.
 */
import autocannon from 'autocannon';
import { createApiKey } from '../src/auth/api-keys.ts';
import { findMemberByEmail, listOrgs } from '../src/auth/members.ts';
import { openPgBossQueue } from '../src/jobs/pg-boss-queue.ts';
import type { JobQueue } from '../src/jobs/queue.ts';
import { openStore } from '../src/store/db.ts';
import { type Cluster, openCluster, type ServerProcess } from './cluster.ts';

/** One load figure. */
export interface ScaleFigure {
  servers: number;
  request: string;
  requestsPerSecond: number;
  non2xx: number;
  /** Responses by HTTP status, and requests never answered by their error (ECONNREFUSED, a timeout). */
  statuses: Record<string, number>;
}

/** Every figure of the run. */
export interface ScaleFigures {
  load: ScaleFigure[];
  jobs: { workers: number; jobs: number; jobsPerSecond: number }[];
  cores: number;
}

const CONNECTIONS = 24;

async function keysFor(cluster: Cluster, email: string, count: number): Promise<string[]> {
  // Creating a key appends to the audit log: sign it with the cluster's key, or the servers refuse the chain after.
  for (const name of ['LEASH_AUDIT_SIGNING_KEY', 'LEASH_AUDIT_CHECKPOINTS']) process.env[name] = cluster.env[name];
  const store = await openStore({ databaseUrl: cluster.databaseUrl });
  try {
    const [org] = await listOrgs(store.db);
    const member = org ? await findMemberByEmail(store.db, org.id, email) : undefined;
    if (!member) throw new Error(`no member ${email}`);
    const keys: string[] = [];
    for (let index = 0; index < count; index += 1)
      keys.push((await createApiKey(store.db, member, `bench ${index}`)).key);
    return keys;
  } finally {
    await store.close();
  }
}

/** Spreads autocannon's connections over the servers (one autocannon per server, run together). */
async function loadAll(
  servers: ServerProcess[],
  seconds: number,
  request: (serverIndex: number) => autocannon.Options,
): Promise<{ requestsPerSecond: number; non2xx: number; statuses: Record<string, number> }> {
  const statuses: Record<string, number> = {};
  const results = await Promise.all(
    servers.map(
      (_server, index) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon({ ...request(index), duration: seconds }, (error, result) =>
            error ? reject(error) : resolve(result),
          );
          instance.on('response', (_client: unknown, status: number) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
          });
          // A request with no answer (refused connection, reset, timeout) is listed by its error, not lost.
          instance.on('reqError', (error: Error & { code?: string }) => {
            const label = error.code ?? error.message;
            statuses[label] = (statuses[label] ?? 0) + 1;
          });
        }),
    ),
  );
  const succeeded = Object.entries(statuses)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    statuses,
    // Only answered-with-2xx requests count: a refused write is not throughput.
    requestsPerSecond: Math.round(succeeded / seconds),
    non2xx: results.reduce((sum, result) => sum + result.non2xx + result.errors, 0),
  };
}

async function measureLoad(cluster: Cluster, servers: ServerProcess[], seconds: number): Promise<ScaleFigure[]> {
  const [reader] = await keysFor(cluster, 'fiona@northwind.test', 1);
  const [customer] = await cluster.query<{ id: string }>('select id from customers order by id limit 1');
  const per = Math.max(1, Math.floor(CONNECTIONS / servers.length));
  const read = await loadAll(servers, seconds, (index) => ({
    url: `${servers[index]?.url}/api/operations/get_customer`,
    method: 'POST',
    connections: per,
    headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer_id: customer?.id }),
  }));
  // Each connection writes with its own key: propose a customer, then confirm that proposal, in turn.
  const writers = await keysFor(cluster, 'fiona@northwind.test', per * servers.length);
  let serial = 0;
  let nextKey = 0;
  type Context = { key?: number; proposal?: string | undefined };
  const keyOf = (context: object) => {
    const own = context as Context;
    own.key ??= nextKey++ % writers.length;
    return writers[own.key];
  };
  const mix = await loadAll(servers, seconds, (index) => ({
    url: servers[index]?.url ?? '',
    connections: per,
    requests: [
      {
        method: 'POST',
        path: '/api/operations/create_customer',
        setupRequest: (request, context) => {
          const key = keyOf(context);
          serial += 1;
          return {
            ...request,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              // Unique across runs: a repeated email is refused (409) as an existing customer.
              name: `Bench ${servers.length}-${serial}`,
              email: `bench${servers.length}-${serial}@scale.test`,
              country: 'US',
              currency: 'usd',
              reason: 'bench signup',
              case_id: `B-${serial}`,
            }),
          };
        },
        onResponse: (_status, body, context) => {
          try {
            (context as Context).proposal = (JSON.parse(body) as { id?: string }).id;
          } catch {
            (context as Context).proposal = undefined;
          }
        },
      },
      {
        method: 'POST',
        setupRequest: (request, context) => ({
          ...request,
          path: `/api/proposals/${(context as Context).proposal ?? 'prop_missing'}/confirm`,
          headers: {
            authorization: `Bearer ${keyOf(context)}`,
            'content-type': 'application/json',
          },
          body: '{}',
        }),
      },
    ],
  }));
  return [
    { servers: servers.length, request: 'read: POST get_customer', ...read },
    { servers: servers.length, request: 'write: propose + confirm create_customer', ...mix },
  ];
}

async function measureJobs(databaseUrl: string, workers: number, jobs: number): Promise<number> {
  const schema = `bench_jobs_${workers}_${Date.now()}`;
  const options = { databaseUrl, schema, maintenanceIntervalSeconds: 60, pollingIntervalSeconds: 0.5 };
  // Jobs go in before the workers start, so the figure is claiming and completing, not sending.
  const sender = await openPgBossQueue({ ...options, worker: false });
  const queueOptions = { singleton: false, retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 };
  await sender.define('bench', queueOptions);
  const pool: JobQueue[] = [];
  let done = 0;
  let finished: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  try {
    for (let index = 0; index < jobs; index += 1) await sender.send('bench', { index });
    const started = performance.now();
    for (let index = 0; index < workers; index += 1) {
      const queue = await openPgBossQueue({ ...options, worker: true });
      pool.push(queue);
      await queue.work('bench', async () => {
        done += 1;
        if (done === jobs) finished();
      });
    }
    await all;
    return Math.round(jobs / ((performance.now() - started) / 1000));
  } finally {
    await Promise.all(pool.map((queue) => queue.stop({ graceSeconds: 1 })));
    await sender.stop({ graceSeconds: 1 });
  }
}

/** Runs the scale figures on `postgresUrl` (a database is made beside it and dropped afterwards). */
export async function measureScale(
  postgresUrl: string,
  options: { seconds: number; jobs: number },
): Promise<ScaleFigures> {
  const { availableParallelism } = await import('node:os');
  const cluster = await openCluster(postgresUrl, { customers: 200, env: { LEASH_LOG_LEVEL: 'error' } });
  const load: ScaleFigure[] = [];
  const jobs: ScaleFigures['jobs'] = [];
  try {
    const servers: ServerProcess[] = [];
    for (let count = 1; count <= 3; count += 1) {
      servers.push(await cluster.start());
      process.stderr.write(`Loading ${count} server process(es)…\n`);
      load.push(...(await measureLoad(cluster, servers, options.seconds)));
    }
    for (const workers of [1, 2, 3]) {
      process.stderr.write(`Job queue with ${workers} worker(s)…\n`);
      jobs.push({
        workers,
        jobs: options.jobs,
        jobsPerSecond: await measureJobs(cluster.databaseUrl, workers, options.jobs),
      });
    }
  } finally {
    await cluster.close();
  }
  return { load, jobs, cores: availableParallelism() };
}
