/**
 * A missing or broken policy never serves (issue 17): `leash start` and `leash mcp` refuse to start with exit 2,
 * naming the file and its error, instead of running with `/health` ok while every write is blocked; `leash init`
 * creates no org on a broken policy. A server built on a broken gate anyway answers /health with 503 degraded.
 * Each case runs the real CLI with LEASH_POLICY_DIR pointing at a copy of the shipped policies, broken one way.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_DIR, loadGate } from '../../src/policy/load-gate.ts';
import { type CliResult, runLeash, startLeashServer } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { startTestServer } from '../support/http.ts';
import { openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const scratch = mkdtempSync(join(tmpdir(), 'leash-policy-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;

/** A copy of the shipped policies with `breakIt` applied; returns its path. */
function policyDir(breakIt: (dir: string) => void = () => {}): string {
  dirs += 1;
  const dir = join(scratch, `policies-${dirs}`);
  cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
  breakIt(dir);
  return dir;
}

/** The environment of a CLI run: its own data directory and policy directory, nothing else implied. */
function env(dataDir: string, policies: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir, LEASH_POLICY_DIR: policies };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG', 'LEASH_API_KEY', 'PORT'])
    delete environment[name];
  return environment;
}

/** Ways to break the policy directory, each with what the refusal must name. */
const BROKEN: [string, (dir: string) => void, RegExp][] = [
  ['a missing policy directory', (dir) => rmSync(dir, { recursive: true }), /cannot read .*ENOENT/],
  [
    'rules.yaml that is not YAML',
    (dir) => writeFileSync(join(dir, 'rules.yaml'), 'caps: [unclosed\n'),
    /rules\.yaml: /,
  ],
  [
    'rules.yaml that breaks the schema',
    (dir) => writeFileSync(join(dir, 'rules.yaml'), 'caps: [not, a, map]\n'),
    /rules\.yaml: caps: /,
  ],
  ['a missing rules.yaml', (dir) => rmSync(join(dir, 'rules.yaml')), /rules\.yaml is missing/],
  [
    'a Cedar file that does not parse',
    (dir) => writeFileSync(join(dir, 'zz-broken.cedar'), 'permit (principal, action, resource) when { ;\n'),
    /zz-broken\.cedar: /,
  ],
  ['a missing schema', (dir) => rmSync(join(dir, 'schema.cedarschema')), /schema\.cedarschema is missing/],
  [
    'no Cedar policy at all',
    (dir) => {
      rmSync(join(dir, 'roles.cedar'));
      rmSync(join(dir, 'caps.cedar'));
    },
    /no \.cedar policy files/,
  ],
];

/** Checks a refusal: exit 2, one line naming the directory and the problem, and nothing served. */
function expectRefused(result: CliResult, dir: string, problem: RegExp): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
  expect(result.stdout).not.toContain('Leash is running');
  expect(result.stderr).toContain(`the policy in ${dir} has problems`);
  expect(result.stderr).toMatch(problem);
}

describe('leash start and leash mcp refuse a missing or broken policy', () => {
  let dataDir = '';

  beforeAll(async () => {
    // An org already there: `leash start` would otherwise build the first-run demo before serving.
    dataDir = join(scratch, 'data');
    const init = await runLeash(['init', '--owner', 'owner@policy.test', '--json'], {
      env: env(dataDir, policyDir()),
    });
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);

  it.each(BROKEN)('leash start with %s exits 2 naming the file and the error', async (_name, breakIt, problem) => {
    const dir = policyDir(breakIt);
    const port = await freePort();
    const result = await runLeash(['start', '--port', String(port)], { env: env(dataDir, dir), timeoutMs: 60_000 });
    expectRefused(result, dir, problem);
    // Nothing listens: the refusal came before the server.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('leash mcp with a broken rules.yaml exits 2 before serving', async () => {
    const dir = policyDir(BROKEN[2]?.[1]);
    const result = await runLeash(['mcp', '--as', 'owner@policy.test'], { env: env(dataDir, dir), timeoutMs: 60_000 });
    expectRefused(result, dir, /rules\.yaml: caps: /);
    expect(result.stdout).toBe('');
  });

  it('leash init on a broken policy creates no org', async () => {
    const fresh = join(scratch, 'fresh');
    const dir = policyDir(BROKEN[4]?.[1]);
    const result = await runLeash(['init', '--json'], { env: env(fresh, dir) });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/zz-broken\.cedar: /);
    const again = await runLeash(['init', '--json'], { env: env(fresh, policyDir()) });
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);

  it('leash start on a sound policy serves, says which policy, and /health is ok', async () => {
    const dir = policyDir();
    const server = await startLeashServer(env(dataDir, dir));
    try {
      expect(server.output()).toContain(`Policy: ${dir} (checked;`);
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, status: 'ok' });
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe(`/health on a server built over a broken policy (${testStoreKind})`, () => {
  it('answers 503 degraded with the reason; a sound one answers 200 ok', async () => {
    const fixture = await openLeashFixture();
    const broken = await loadGate(policyDir(BROKEN[2]?.[1]));
    const degraded = await startTestServer(fixture, { gate: broken });
    const sound = await startTestServer(fixture);
    try {
      const bad = await degraded.call<{ ok: boolean; status: string; reason: string }>('GET', '/health');
      expect(bad.status).toBe(503);
      expect(bad.body).toMatchObject({ ok: false, status: 'degraded' });
      expect(bad.body.reason).toMatch(/every change is blocked.*rules\.yaml: caps: /);
      const good = await sound.call('GET', '/health');
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({ ok: true, status: 'ok', version: 'test' });
    } finally {
      await degraded.close();
      await sound.close();
      await fixture.close();
    }
  });
});
