/**
 * Graceful shutdown of a real `leash start` (compiled dist/, issue 19): on SIGTERM a request in flight (its body
 * only half sent) still gets its answer, new connections are refused meanwhile, and the process exits 0 once it
 * is answered. Its log lines are structured: each request's line carries the request id, route, status, the
 * org and member once authenticated, and the process (pid, role).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashServer, startLeashServer } from '../support/cli.ts';
import { type LeashInstance, openLeashInstance } from '../support/leash-instance.ts';
import { testStoreKind } from '../support/store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a POST whose body is sent in two parts: `finish` sends the rest; `answer` is the response. */
function halfSentPost(port: number, path: string, body: string) {
  const cut = Math.floor(body.length / 2);
  const outgoing = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    outgoing.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    outgoing.on('error', reject);
  });
  outgoing.flushHeaders();
  outgoing.write(body.slice(0, cut));
  return { answer, finish: () => outgoing.end(body.slice(cut)) };
}

async function refusesConnections(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const refused = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => false,
      () => true,
    );
    if (refused) return true;
    await sleep(100);
  }
  return false;
}

describe(`leash start shuts down gracefully (${testStoreKind})`, () => {
  let instance: LeashInstance;
  let server: LeashServer;

  beforeAll(async () => {
    instance = await openLeashInstance('shutdown', { LEASH_LOG_LEVEL: 'info' });
    server = await startLeashServer(instance.env);
  }, 240_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await instance?.remove();
  });

  it('logs each request with its id, org, member and process', async () => {
    const me = await fetch(`http://127.0.0.1:${server.port}/api/me`, {
      headers: { authorization: `Bearer ${instance.ownerKey}` },
    });
    expect(me.status).toBe(200);
    const requestId = me.headers.get('x-request-id');
    const { member, org } = (await me.json()) as { member: { id: string }; org: { id: string } };
    await sleep(200);
    const line = server
      .output()
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === 'request' && entry.reqId === requestId);
    expect(line).toMatchObject({
      route: '/api/me',
      method: 'GET',
      status: 200,
      org: org.id,
      member: member.id,
      pid: server.child.pid,
      role: 'all',
    });
    expect(line?.ms).toEqual(expect.any(Number));
  });

  it('on SIGTERM answers the request in flight, refuses new connections, and exits 0', async () => {
    const { answer, finish } = halfSentPost(
      server.port,
      '/api/auth/login',
      JSON.stringify({ email: 'nobody@shutdown.test' }),
    );
    await sleep(500);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      server.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    server.child.kill('SIGTERM');
    expect(await refusesConnections(server.port)).toBe(true);
    // Still running: it waits for the request in flight.
    await sleep(300);
    expect(server.child.exitCode).toBeNull();
    finish();
    const answered = await answer;
    expect(answered.status).toBe(202);
    expect(JSON.parse(answered.body)).toMatchObject({ sent: true });
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/"msg":"shutting down"/);
    expect(server.output()).toMatch(/"msg":"shut down"/);
  }, 60_000);
});

describe.skipIf(testStoreKind !== 'postgres')('leash start --worker shuts down the same way (PostgreSQL)', () => {
  it('on SIGTERM hands its jobs back, closes the store, logs it and exits 0', async () => {
    const instance = await openLeashInstance('shutdown-worker', { LEASH_LOG_LEVEL: 'info' });
    try {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, ['bin/leash.js', 'start', '--worker'], { env: instance.env });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      for (let waited = 0; !output.includes('Leash worker is running') && waited < 600; waited += 1) {
        if (child.exitCode !== null) break;
        await sleep(100);
      }
      expect(output).toContain('Leash worker is running');
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(output).toMatch(/"msg":"shutting down"/);
      expect(output).toMatch(/"msg":"shut down"/);
    } finally {
      await instance.remove();
    }
  }, 120_000);
});
