/**
 * The rate limit is one limit across server processes (issue 19). Three real `leash start` processes (compiled
 * dist/, loopback ports) on one PostgreSQL database take sign-in requests in turn from one address: the 10 a
 * minute that one process would allow are allowed in all (429 after, whichever process answers), and every
 * answer reports the same remaining count in sequence. Counted in the database by default; with LEASH_REDIS_URL
 * in Redis (that case runs when LEASH_TEST_REDIS_URL names a Redis: CI does not promise one). Kept in memory, as
 * before, the three would have allowed 30. In-process, two servers over one store share the write limit on either
 * store (PGlite too), and a Redis that does not answer refuses to start, its password never shown.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCounter } from '../../src/limits/rate-limit-counter.ts';
import { type LeashServer, startLeashServer } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { type LeashInstance, openLeashInstance } from '../support/leash-instance.ts';
import { testStoreKind } from '../support/store.ts';

/** The sign-in budget `leash start` serves with: 10 a minute per address (server.ts). */
const SIGN_IN_LIMIT = 10;

/** Asks for sign-in links from 127.0.0.1, `count` times, on each server in turn: the statuses and remaining counts. */
async function signInRoundRobin(ports: number[], count: number) {
  const answers: { port: number; status: number; remaining: string | null }[] = [];
  for (let index = 0; index < count; index += 1) {
    const port = ports[index % ports.length] ?? 0;
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody-${index}@limits.test` }),
    });
    await response.arrayBuffer();
    answers.push({ port, status: response.status, remaining: response.headers.get('x-ratelimit-remaining') });
  }
  return answers;
}

function expectOneLimit(answers: Awaited<ReturnType<typeof signInRoundRobin>>) {
  const allowed = answers.filter((answer) => answer.status === 202);
  expect(allowed).toHaveLength(SIGN_IN_LIMIT);
  // The first ten, whichever process answered each, counted down as one budget: 9, 8, … 0.
  expect(allowed.map((answer) => answer.remaining)).toEqual(
    Array.from({ length: SIGN_IN_LIMIT }, (_, index) => String(SIGN_IN_LIMIT - 1 - index)),
  );
  expect(answers.slice(SIGN_IN_LIMIT).map((answer) => answer.status)).toEqual(
    answers.slice(SIGN_IN_LIMIT).map(() => 429),
  );
  // Refused by every process, not just one.
  expect(new Set(answers.slice(SIGN_IN_LIMIT).map((answer) => answer.port)).size).toBe(3);
}

/** Three `leash start` processes on one instance. */
async function startThree(instance: LeashInstance, env: NodeJS.ProcessEnv = {}): Promise<LeashServer[]> {
  return Promise.all([0, 1, 2].map(() => startLeashServer({ ...instance.env, LEASH_ROLE: 'web', ...env })));
}

describe.skipIf(!process.env.DATABASE_URL)('three server processes on one PostgreSQL share rate limits', () => {
  let instance: LeashInstance;
  let servers: LeashServer[] = [];
  const ports = () => servers.map((server) => server.port);

  beforeAll(async () => {
    instance = await openLeashInstance('limits');
  }, 240_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await instance?.remove();
  });

  it('counted in the database: 10 sign-ins a minute from one address across all three, 429 on each after', async () => {
    servers = await startThree(instance);
    // Each is ready: database, migrations and policy ok (web-only: no workers expected).
    for (const port of ports()) expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    expectOneLimit(await signInRoundRobin(ports(), 15));
    await Promise.all(servers.map((server) => server.stop()));
    servers = [];
  }, 240_000);

  it.skipIf(!process.env.LEASH_TEST_REDIS_URL)(
    'counted in Redis with LEASH_REDIS_URL: the same one limit',
    async () => {
      servers = await startThree(instance, {
        LEASH_REDIS_URL: process.env.LEASH_TEST_REDIS_URL,
        LEASH_REDIS_PREFIX: `leash-test:${randomBytes(4).toString('hex')}:`,
      });
      expectOneLimit(await signInRoundRobin(ports(), 15));
    },
    240_000,
  );
});

describe(`rate limits on one store (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    fixture = await openLeashFixture();
    const limits = { signIn: 100, writes: 3, mcp: 100 };
    const first = await startTestServer(fixture, { rateLimits: limits });
    servers = [first, await startTestServer(fixture, { rateLimits: limits, signingKey: first.signingKey })];
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await fixture?.close();
  });

  it('3 writes a minute per credential across both: the 4th is 429 on either', async () => {
    const [first, second] = servers as [TestServer, TestServer];
    const key = await first.apiKey('olivia@northwind.test');
    const statuses: number[] = [];
    for (const server of [first, second, first, second, first]) {
      const response = await server.call('POST', '/api/operations/create_customer', {
        token: key,
        body: { name: 'Limit Test', email: 'limit@example.test' },
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 3).every((status) => status < 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it('LEASH_REDIS_URL naming a Redis that does not answer refuses to start, naming it without its password', async () => {
    const port = await freePort();
    const refused = await redisCounter(`redis://:s3cret@127.0.0.1:${port}/0`).catch((error: unknown) => error);
    expect((refused as Error).message).toMatch(
      new RegExp(`^LEASH_REDIS_URL: Redis at redis://127\\.0\\.0\\.1:${port}/0 did not answer`),
    );
    expect((refused as Error).message).not.toContain('s3cret');
  });
});
