/**
 * Issue 19, "stateless servers": what a person or agent starts on one `leash start` process continues on another
 * (three compiled processes on one PostgreSQL database, loopback ports, nothing shared but the database and the
 * cluster's keys). A dashboard sign-in made on A is used on B and C; its refresh cookie rotates on B, the new
 * access token works on C, and the old cookie presented again (on C) revokes the session for every process. A
 * chat conversation started on A proposes a customer; "confirm 1" on B executes it once; the same words on C do
 * not execute it again, and C shows all three turns. An MCP client behind a round-robin proxy (the load balancer)
 * initializes, lists tools, proposes and confirms with each request answered by another process: /mcp keeps no
 * session, so nothing is lost between them. PostgreSQL only: the embedded store runs one process.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFor, type Cluster, openCluster, type ServerProcess } from '../../bench/cluster.ts';

const databaseUrl = process.env.DATABASE_URL;
const FINANCE = 'fiona@northwind.test';

interface Turn {
  conversation_id: string;
  reply: string;
  calls: { operation: string; outcome: string; proposal?: { id: string; number?: number; status: string } }[];
}

/** A fetch answer: status, JSON body, the refresh cookie it set (name=value), if any. */
interface Answer<T> {
  status: number;
  body: T;
  cookie: string | undefined;
}

async function call<T = Record<string, unknown>>(
  server: Pick<ServerProcess, 'url'>,
  method: string,
  path: string,
  options: { token?: string; cookie?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, cookie };
}

/** A load balancer: each request goes to the next server in turn; `answeredBy` counts requests per server. */
async function roundRobin(servers: ServerProcess[]): Promise<{ url: string; answeredBy: number[]; close(): void }> {
  const answeredBy = servers.map(() => 0);
  let next = 0;
  const proxy: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const index = next++ % servers.length;
    answeredBy[index] = (answeredBy[index] ?? 0) + 1;
    const target = new URL(servers[index]?.url ?? '');
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, answeredBy, close: () => proxy.close() };
}

describe.skipIf(!databaseUrl)('state started on one server process continues on another (PostgreSQL)', () => {
  let cluster: Cluster;
  let servers: ServerProcess[];
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  // The dashboard session: the access token and the refresh cookie as the browser holds them.
  let session: { token: string; cookie: string };

  beforeAll(async () => {
    cluster = await openCluster(databaseUrl ?? '', { customers: 5, env: { LEASH_LOG_LEVEL: 'info' } });
    servers = [];
    for (let index = 0; index < 3; index += 1) servers.push(await cluster.start());
    [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
  }, 240_000);

  afterAll(async () => cluster?.close(), 60_000);

  const executionsOf = async (proposalId: string) =>
    Number(
      (
        await cluster.query<{ n: string }>('select count(*) as n from executions where proposal_id = $1', [proposalId])
      )[0]?.n,
    );
  const succeededOf = async (proposalId: string) =>
    Number(
      (
        await cluster.query<{ n: string }>(
          "select count(*) as n from audit_events where proposal_id = $1 and event = 'execution.succeeded'",
          [proposalId],
        )
      )[0]?.n,
    );

  it('a dashboard sign-in made on A is used on B and C', async () => {
    const printed = a.output().length;
    const asked = await call(a, 'POST', '/api/auth/login', { body: { email: FINANCE } });
    expect(asked.status).toBe(202);
    // No SMTP in development: A writes the link to its terminal.
    let token: string | undefined;
    for (let waited = 0; !token && waited < 20_000; waited += 100) {
      token = /\/login\?token=([A-Za-z0-9_-]{43})/.exec(a.output().slice(printed))?.[1];
      if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(token, a.output().slice(printed)).toBeDefined();
    const redeemed = await call<{ access_token: string }>(a, 'POST', '/api/auth/redeem', { body: { token } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.cookie).toMatch(/=/);
    session = { token: redeemed.body.access_token, cookie: redeemed.cookie ?? '' };
    for (const server of [a, b, c]) {
      const me = await call<{ member: { email: string } }>(server, 'GET', '/api/me', { token: session.token });
      expect(me.status).toBe(200);
      expect(me.body.member.email).toBe(FINANCE);
    }
  }, 60_000);

  it('a conversation started on A continues on B: "confirm 1" executes the proposal once; C does not run it again', async () => {
    const started = await call<Turn>(a, 'POST', '/api/conversations', {
      token: session.token,
      body: { message: 'Create a new customer with email crossover@scale.test' },
    });
    expect(started.status).toBe(201);
    const proposed = started.body.calls.at(-1);
    expect(proposed).toMatchObject({ operation: 'create_customer', outcome: 'pass', proposal: { number: 1 } });
    const proposalId = proposed?.proposal?.id ?? '';
    expect(await executionsOf(proposalId)).toBe(0);

    const confirmed = await call<Turn>(b, 'POST', `/api/conversations/${started.body.conversation_id}/messages`, {
      token: session.token,
      body: { message: 'confirm 1' },
    });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.calls).toMatchObject([{ operation: 'confirm_proposal', outcome: 'pass' }]);
    expect(confirmed.body.reply).toMatch(/^Done:/);
    expect(await executionsOf(proposalId)).toBe(1);

    const again = await call<Turn>(c, 'POST', `/api/conversations/${started.body.conversation_id}/messages`, {
      token: session.token,
      body: { message: 'confirm 1' },
    });
    expect(again.status).toBe(201);
    expect(await executionsOf(proposalId)).toBe(1);
    expect(await succeededOf(proposalId)).toBe(1);
    const customers = await cluster.query<{ n: string }>(
      "select count(*) as n from customers where email = 'crossover@scale.test'",
    );
    expect(Number(customers[0]?.n)).toBe(1);

    const shown = await call<{ turns: { request: string }[] }>(
      c,
      'GET',
      `/api/conversations/${started.body.conversation_id}`,
      { token: session.token },
    );
    expect(shown.status).toBe(200);
    expect(shown.body.turns.map((turn) => turn.request)).toEqual([
      'Create a new customer with email crossover@scale.test',
      'confirm 1',
      'confirm 1',
    ]);
  }, 90_000);

  it('the refresh cookie rotates on B, the new token works on C, and the old cookie replayed revokes it everywhere', async () => {
    const rotated = await call<{ access_token: string }>(b, 'POST', '/api/auth/refresh', { cookie: session.cookie });
    expect(rotated.status).toBe(200);
    expect(rotated.cookie).toBeDefined();
    expect(rotated.cookie).not.toBe(session.cookie);
    const next = { token: rotated.body.access_token, cookie: rotated.cookie ?? '' };
    expect((await call(c, 'GET', '/api/me', { token: next.token })).status).toBe(200);

    // A stolen copy of the used cookie, replayed on another process: the rotation's reuse detection holds there too.
    const replayed = await call<{ error: { code: string } }>(c, 'POST', '/api/auth/refresh', {
      cookie: session.cookie,
    });
    expect(replayed.status).toBe(401);
    for (const server of [a, b, c]) {
      expect((await call(server, 'GET', '/api/me', { token: next.token })).status).toBe(401);
      expect((await call(server, 'GET', '/api/me', { token: session.token })).status).toBe(401);
    }
    expect((await call(a, 'POST', '/api/auth/refresh', { cookie: next.cookie })).status).toBe(401);
  }, 60_000);

  it('an MCP client behind a round-robin balancer: each request to another process, the proposal confirmed once', async () => {
    const balancer = await roundRobin(servers);
    const key = await apiKeyFor(cluster, FINANCE);
    const client = new Client({ name: 'leash-scale-test', version: '1.0.0' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${balancer.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${key}` } },
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('confirm_proposal');
      const proposed = await client.callTool({
        name: 'create_customer',
        arguments: {
          name: 'Balanced Co',
          email: 'balanced@scale.test',
          country: 'US',
          currency: 'usd',
          reason: 'new signup',
          case_id: 'SCALE-MCP',
        },
      });
      expect(proposed.isError).toBeFalsy();
      const proposal = proposed.structuredContent as { id: string; status: string };
      expect(proposal.status).toBe('awaiting_confirmation');
      const confirmed = await client.callTool({ name: 'confirm_proposal', arguments: { proposal_id: proposal.id } });
      expect(confirmed.isError).toBeFalsy();
      expect(confirmed.structuredContent).toMatchObject({ status: 'succeeded' });
      // Confirmed again through the next process: the same execution, not a second one.
      const twice = await client.callTool({ name: 'confirm_proposal', arguments: { proposal_id: proposal.id } });
      expect(twice.structuredContent).toMatchObject({ status: 'succeeded' });
      expect(await executionsOf(proposal.id)).toBe(1);
      expect(await succeededOf(proposal.id)).toBe(1);
      // Every process answered part of the one client's conversation.
      expect(balancer.answeredBy.every((count) => count >= 1)).toBe(true);
    } finally {
      await client.close();
      balancer.close();
    }
  }, 90_000);
});
