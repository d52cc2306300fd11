/**
 * HTTP and MCP figures: read throughput and latency under 50 concurrent connections (autocannon on loopback,
 * against a server in its own process over the bench business), and MCP tool-call latency over streamable
 * HTTP next to the same read over REST. Baseline: GET /health, which touches neither auth nor the store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import autocannon from 'autocannon';
import type { DatasetPlace } from './dataset.ts';
import { type Latency, summarise, timeEach } from './stats.ts';

/** One load figure. */
export interface LoadFigure {
  name: string;
  requestsPerSecond: number;
  latency: Latency;
  non2xx: number;
  errors: number;
  /** Answers that were not 2xx by status, and requests with no answer by their error ("timeout"). */
  statuses: Record<string, number>;
}

/** The figures of one store. */
export interface HttpFigures {
  store: string;
  load: LoadFigure[];
  mcp: { toolCall: Latency; restSameRead: Latency };
}

interface Started {
  child: ChildProcess;
  port: number;
  key: string;
  customerId: string;
  customerName: string;
}

async function startServer(place: DatasetPlace, customers: number, cacheDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['bin/run-ts.js', 'bench/http-server.ts', place.kind, place.location, String(customers), cacheDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { child, ...(JSON.parse(line) as Omit<Started, 'child'>) };
}

function load(
  url: string,
  name: string,
  request: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string },
  seconds: number,
): Promise<LoadFigure> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}${request.path}`,
        method: request.method,
        connections: 50,
        duration: seconds,
        headers: request.headers ?? {},
        ...(request.body ? { body: request.body } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        process.stderr.write(
          `  ${name}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${JSON.stringify(statuses)}\n`,
        );
        resolve({
          name,
          requestsPerSecond: Math.round(result.requests.average),
          latency: summarise(latencies),
          non2xx: result.non2xx,
          errors: result.errors,
          statuses,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      if (status < 200 || status > 299) statuses[status] = (statuses[status] ?? 0) + 1;
    });
    instance.on('reqError', (error: Error & { code?: string }) => {
      const label = error.code ?? error.message;
      statuses[label] = (statuses[label] ?? 0) + 1;
    });
  });
}

/** Measures one store. */
export async function measureHttp(
  place: DatasetPlace,
  customers: number,
  cacheDir: string,
  options: { seconds: number; samples: number },
): Promise<HttpFigures> {
  const server = await startServer(place, customers, cacheDir);
  const url = `http://127.0.0.1:${server.port}`;
  const auth = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
  try {
    // Warm up the server's paths once before measuring.
    await fetch(`${url}/api/operations/get_customer`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ customer_id: server.customerId }),
    });
    const figures: LoadFigure[] = [];
    figures.push(
      await load(url, 'GET /health (baseline: no auth, no store)', { method: 'GET', path: '/health' }, options.seconds),
    );
    figures.push(
      await load(
        url,
        'GET /api/me (API key, org scope)',
        { method: 'GET', path: '/api/me', headers: auth },
        options.seconds,
      ),
    );
    figures.push(
      await load(
        url,
        'POST get_customer (read op, audited)',
        {
          method: 'POST',
          path: '/api/operations/get_customer',
          headers: auth,
          body: JSON.stringify({ customer_id: server.customerId }),
        },
        options.seconds,
      ),
    );
    figures.push(
      await load(
        url,
        'POST search_customers (fuzzy name)',
        {
          method: 'POST',
          path: '/api/operations/search_customers',
          headers: auth,
          body: JSON.stringify({ query: server.customerName.split(' ')[0] }),
        },
        options.seconds,
      ),
    );

    const client = new Client({ name: 'leash-bench', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${server.key}` } },
      }),
    );
    const toolCall = await timeEach(options.samples, () =>
      client.callTool({ name: 'get_customer', arguments: { customer_id: server.customerId } }),
    );
    await client.close();
    const restSameRead = await timeEach(options.samples, async () => {
      const response = await fetch(`${url}/api/operations/get_customer`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ customer_id: server.customerId }),
      });
      await response.arrayBuffer();
    });
    return { store: place.kind, load: figures, mcp: { toolCall, restSameRead } };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}
