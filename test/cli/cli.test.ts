/**
 * End to end: spawns the real `leash` command (node bin/leash.js) against a demo business built once in a
 * fresh data directory, and checks what it prints and how it exits.
 *
 * An embedded PGlite data directory must not be opened by two processes at once, so every test that changes the
 * store works on its own copy of the demo directory, opening it itself; that lets the tests run concurrently.
 * Tests that only read share one copy held by a running `leash start`, reaching it through the server's local
 * channel as a second terminal does. Children that open a store are CPU-bound (a WASM Postgres boots in each), so
 * at most one per core runs at a time.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEMO_MEMBERS } from '../../src/auth/demo-members.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { type CliResult, json, type LeashServer, REPO_ROOT, runLeash, startLeashServer } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

const DEMO_END = '2026-11-22';
const OWNER = 'olivia@northwind.test';
const CLERK = 'carl@northwind.test';
const READER = 'rita@northwind.test';
/**
 * Slow enough for a child that waits for a slot behind others on a loaded two-core machine (23 tests share
 * two slots; the wait counts against the timeout). Only a hang should hit it.
 */
const TEST_TIMEOUT = 240_000;
/** Tests that start several children one after another (MCP on stdio, then the server). */
const LONG_TEST_TIMEOUT = 300_000;

interface InvoiceJson {
  id: string;
  number: string;
  customerId: string;
  status: string;
  currency: string;
  total: number;
  amountPaid: number;
  amountRemaining: number;
  dueDate: string | null;
  createdAt: string;
}

interface ChargeJson {
  id: string;
  invoiceId: string;
  customerId: string;
  status: string;
  amount: number;
  amountRefunded: number;
  currency: string;
}

interface ProposalJson {
  id: string;
  operation: string;
  kind: string;
  status: string;
  preview: {
    summary: string;
    money?: { amount: number; currency: string };
    customers: { id: string; name: string }[];
    targets: string[];
    reversible: boolean;
  };
  decision: {
    outcome: 'pass' | 'warn' | 'block';
    reasons: { policyId: string; message: string }[];
    requiredApprovers: { groups: string[]; roles: string[]; minCap?: { amount: number; currency: string } };
  };
  approval: { id: string; status: string } | null;
  next: string;
}

// --- Running the CLI ---------------------------------------------------------------------------------------

const slots = Math.max(2, availableParallelism());
let running = 0;
const waiting: (() => void)[] = [];

async function acquireSlot(): Promise<void> {
  if (running < slots) {
    running += 1;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

function childEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  // The embedded PGlite store, the repo's ./policies, no implied member or org, no stack traces on purpose.
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG']) delete env[name];
  return env;
}

/** Runs `node bin/leash.js ...args` from the repo root with LEASH_DATA_DIR = dataDir. */
async function leash(dataDir: string, args: string[], input?: string): Promise<CliResult> {
  await acquireSlot();
  try {
    return await runLeash(args, { env: childEnv(dataDir), ...(input !== undefined ? { input } : {}) });
  } finally {
    releaseSlot();
  }
}

/** `leash demo` of the suite's business (40 customers, 6 months, seed 42) into `dataDir`. */
function buildDemo(dataDir: string): Promise<CliResult> {
  return leash(dataDir, ['demo', '--customers', '40', '--months', '6', '--seed', '42', '--end', DEMO_END, '--json']);
}

/** `leash run refund_charge --as EMAIL --input JSON --json` in `dataDir`. */
function proposeRefund(dataDir: string, as: string, input: Record<string, unknown>): Promise<CliResult> {
  return leash(dataDir, ['run', 'refund_charge', '--as', as, '--input', JSON.stringify(input), '--json']);
}

/** Lines of stderr, without the empty last one. */
function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.length > 0);
}

// --- The demo business -------------------------------------------------------------------------------------

let root = '';
let demoDir = '';
let copies = 0;
let demo: {
  org: { id: string; name: string; policyProfile: string };
  store: { kind: string; location: string };
  summary: {
    seed: string;
    from: string;
    to: string;
    customers: number;
    invoices: number;
    overdueInvoices: number;
    doubleCharges: string[];
  };
};

/** A private copy of the demo data directory, for one test's commands. */
function demoCopy(): string {
  copies += 1;
  const dir = join(root, `copy-${copies}`);
  cpSync(demoDir, dir, { recursive: true });
  return dir;
}

/**
 * The demo data directory a running `leash start` holds, for tests that only read: their commands reach the store
 * through the server's local channel (issue 15), as a person's second terminal does, so they need no PGlite of
 * their own. That output is the same as with no server is shown in test/cli/local-channel.test.ts.
 */
let servedDir = '';
let server: LeashServer | undefined;

async function startServing(): Promise<void> {
  servedDir = demoCopy();
  server = await startLeashServer(childEnv(servedDir));
}

/** A directory no one else uses, for commands that must not need the store. */
function scratchDir(): string {
  copies += 1;
  return join(root, `scratch-${copies}`);
}

/** The billing_clerk's per-transaction cap by currency, from the policy the CLI loads. */
const clerkCaps = (
  parseYaml(readFileSync(join(REPO_ROOT, 'policies/rules.yaml'), 'utf8')) as {
    caps: { billing_clerk: Record<string, number> };
  }
).caps.billing_clerk;

/**
 * A paid invoice (from `invoices --json`) whose succeeded charge is far above a clerk's cap, shown with
 * `invoice NUMBER --json`. Found once, shared by the tests that need a charge.
 */
let paidInvoiceFacts:
  | Promise<{ listed: InvoiceJson; shown: { invoice: InvoiceJson; charges: ChargeJson[] }; charge: ChargeJson }>
  | undefined;

function findPaidInvoice() {
  paidInvoiceFacts ??= (async () => {
    const dir = servedDir;
    const list = await leash(dir, ['invoices', '--status', 'paid', '--limit', '1000', '--json']);
    if (list.code !== 0) throw new Error(`invoices --json failed: ${list.stderr}`);
    const ratio = (invoice: InvoiceJson) => invoice.amountPaid / (clerkCaps[invoice.currency] ?? Infinity);
    const listed = json<InvoiceJson[]>(list).sort((a, b) => ratio(b) - ratio(a))[0];
    if (!listed || ratio(listed) < 5) throw new Error('the demo has no paid invoice far above a clerk cap');
    const show = await leash(dir, ['invoice', listed.number, '--json']);
    if (show.code !== 0) throw new Error(`invoice ${listed.number} failed: ${show.stderr}`);
    const shown = json<{ invoice: InvoiceJson; charges: ChargeJson[] }>(show);
    const charge = shown.charges.find(
      (candidate) =>
        candidate.status === 'succeeded' &&
        candidate.amount - candidate.amountRefunded > 5 * (clerkCaps[candidate.currency] ?? Infinity),
    );
    if (!charge) throw new Error(`invoice ${listed.number} has no succeeded charge far above a clerk cap`);
    return { listed, shown, charge };
  })();
  return paidInvoiceFacts;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-cli-'));
  demoDir = join(root, 'data');
  const result = await buildDemo(demoDir);
  if (result.code !== 0) throw new Error(`leash demo failed (exit ${result.code}):\n${result.stderr}`);
  demo = json(result);
  await startServing();
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

// --- The tests ---------------------------------------------------------------------------------------------

describe.concurrent('leash CLI, end to end', () => {
  it('demo --json built the business it was asked for, in the data directory, on PGlite', ({ expect }) => {
    expect(demo.org).toMatchObject({ id: 'org_demo', name: 'Northwind Cloud', policyProfile: 'short-leash' });
    expect(demo.store).toEqual({ kind: 'pglite', location: demoDir });
    expect(demo.summary).toMatchObject({
      seed: '42',
      customers: 40,
      from: '2026-05-22T00:00:00.000Z',
      to: `${DEMO_END}T00:00:00.000Z`,
    });
    expect(demo.summary.invoices).toBeGreaterThan(40);
    expect(demo.summary.overdueInvoices).toBeGreaterThanOrEqual(1);
  });

  it(
    '--help prints usage that names each command option, and its examples use real demo members',
    async ({ expect }) => {
      const dir = scratchDir();
      const [top, demoHelp, invoices, run, audit] = await Promise.all([
        leash(dir, ['--help']),
        leash(dir, ['demo', '--help']),
        leash(dir, ['invoices', '--help']),
        leash(dir, ['run', '--help']),
        leash(dir, ['audit', '--help']),
      ]);
      for (const result of [top, demoHelp, invoices, run, audit]) {
        expect(result.code).toBe(EXIT.ok);
        expect(result.stderr).toBe('');
      }

      expect(top.stdout).toMatch(/^Usage: leash \[options\] \[command\]/);
      expect(top.stdout).toContain('--version');
      for (const command of ['demo', 'customers', 'invoices', 'invoice', 'clock', 'users', 'ops', 'run', 'audit'])
        expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      expect(top.stdout).toContain('Exit codes: 0 ok, 1 failure, 2 bad input, 3 blocked by policy or refused.');

      expect(demoHelp.stdout).toMatch(/^Usage: leash demo \[options\]/);
      for (const option of ['--customers <N>', '--seed <S>', '--months <M>', '--end <date>', '--json'])
        expect(demoHelp.stdout).toContain(option);
      for (const member of DEMO_MEMBERS) expect(demoHelp.stdout).toContain(`${member.email.padEnd(24)} ${member.role}`);

      expect(invoices.stdout).toMatch(/^Usage: leash invoices \[options\]/);
      for (const option of [
        '--status <status>',
        '--overdue',
        '--customer <ref>',
        '--limit <N>',
        '--as <email>',
        '--json',
      ])
        expect(invoices.stdout).toContain(option);
      expect(invoices.stdout).toContain('draft, open, paid, void, uncollectible');

      expect(run.stdout).toMatch(/^Usage: leash run \[options\] <operation>/);
      for (const option of ['--input <json>', '--as <email>', '--json']) expect(run.stdout).toContain(option);
      expect(run.stdout).toContain('exit code 3');

      expect(audit.stdout).toMatch(/^Usage: leash audit \[options\] \[command\]/);
      for (const command of ['tail', 'verify', 'export'])
        expect(audit.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));

      // Every `--as EMAIL` an example shows must be someone the demo actually has.
      const members = new Set<string>(DEMO_MEMBERS.map((member) => member.email));
      const shown = [top, run].flatMap((result) => [...result.stdout.matchAll(/--as (\S+@\S+)/g)].map((m) => m[1]));
      expect(shown.length).toBeGreaterThan(0);
      for (const email of shown) expect(members, `help example acts as ${email}`).toContain(email);
    },
    TEST_TIMEOUT,
  );

  it(
    'users list --json lists every demo member with role and groups',
    async ({ expect }) => {
      const result = await leash(servedDir, ['users', 'list', '--json']);
      expect(result.code).toBe(EXIT.ok);
      const users = json<{ email: string; role: string; groups: string[] }[]>(result);
      expect(users).toHaveLength(DEMO_MEMBERS.length);
      for (const user of users) {
        expect(typeof user.email).toBe('string');
        expect(typeof user.role).toBe('string');
        expect(Array.isArray(user.groups)).toBe(true);
      }
      expect(users).toContainEqual(expect.objectContaining({ email: OWNER, role: 'owner', groups: ['founder'] }));
      expect(users).toContainEqual(expect.objectContaining({ email: CLERK, role: 'billing_clerk', groups: [] }));
      expect(users).toContainEqual(expect.objectContaining({ email: READER, role: 'read_only', groups: [] }));
    },
    TEST_TIMEOUT,
  );

  it(
    'invoices --overdue --json returns open invoices due before the ledger clock',
    async ({ expect }) => {
      const result = await leash(servedDir, ['invoices', '--overdue', '--json']);
      expect(result.code).toBe(EXIT.ok);
      const invoices = json<InvoiceJson[]>(result);
      expect(invoices.length).toBeGreaterThanOrEqual(1);
      expect(invoices.length).toBe(demo.summary.overdueInvoices);
      for (const invoice of invoices) {
        expect(invoice.status).toBe('open');
        expect(invoice.number).toMatch(/^INV-\d{6}$/);
        expect(invoice.amountRemaining).toBeGreaterThan(0);
        expect(invoice.dueDate).not.toBeNull();
        expect(new Date(invoice.dueDate as string).getTime()).toBeLessThan(Date.parse(`${DEMO_END}T00:00:00Z`));
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'customers acme --json finds Acme Corp, and customer <id> --json shows it',
    async ({ expect }) => {
      const dir = demoCopy();
      const search = await leash(dir, ['customers', 'acme', '--json']);
      expect(search.code).toBe(EXIT.ok);
      const found = json<{ id: string; name: string; email: string }[]>(search);
      const acme = found.find((customer) => customer.name === 'Acme Corp');
      expect(acme).toBeDefined();
      expect(acme?.id).toMatch(/^cus_/);

      const show = await leash(dir, ['customer', acme?.id ?? '', '--json']);
      expect(show.code).toBe(EXIT.ok);
      const shown = json<{
        customer: { id: string; name: string; email: string };
        subscriptions: { customerId: string }[];
        invoices: { customerId: string }[];
        charges: { customerId: string }[];
      }>(show);
      expect(shown.customer).toMatchObject({ id: acme?.id, name: 'Acme Corp', email: acme?.email });
      expect(shown.subscriptions.length).toBeGreaterThan(0);
      expect(shown.invoices.length).toBeGreaterThan(0);
      for (const record of [...shown.subscriptions, ...shown.invoices, ...shown.charges])
        expect(record.customerId).toBe(acme?.id);
    },
    TEST_TIMEOUT,
  );

  it(
    'invoice <number from invoices --json> --json returns that invoice with its charges',
    async ({ expect }) => {
      const { listed, shown } = await findPaidInvoice();
      expect(listed.status).toBe('paid');
      expect(shown.invoice).toMatchObject({
        id: listed.id,
        number: listed.number,
        customerId: listed.customerId,
        status: 'paid',
        total: listed.total,
        amountPaid: listed.amountPaid,
        amountRemaining: 0,
      });
      expect(shown.charges.length).toBeGreaterThan(0);
      for (const charge of shown.charges) expect(charge.invoiceId).toBe(listed.id);
    },
    TEST_TIMEOUT,
  );

  it(
    'bad input exits 2 with one line on stderr; an unknown customer exits with the not-found code',
    async ({ expect }) => {
      const [status, input, missing] = await Promise.all([
        leash(scratchDir(), ['invoices', '--status', 'bogus']),
        leash(scratchDir(), ['run', 'refund_charge', '--as', CLERK, '--input', '{not json']),
        leash(servedDir, ['customer', 'cus_doesnotexist42', '--json']),
      ]);
      for (const result of [status, input, missing]) {
        expect(stderrLines(result)).toHaveLength(1);
        expect(result.stderr).not.toMatch(/^ {4}at /m);
        expect(result.stderr).toMatch(/^leash: /);
        expect(result.stdout).toBe('');
      }
      expect(status.code).toBe(EXIT.badInput);
      expect(status.stderr).toContain('--status: unknown status "bogus"');
      expect(input.code).toBe(EXIT.badInput);
      expect(input.stderr).toContain('--input: is not valid JSON');
      expect(missing.code).toBe(ERROR_CODES.not_found.exit);
      expect(missing.stderr).toBe('leash: no customer cus_doesnotexist42\n');
    },
    TEST_TIMEOUT,
  );

  it(
    'ops --json lists every operation with name, kind, description and input schema',
    async ({ expect }) => {
      const result = await leash(scratchDir(), ['ops', '--json']);
      expect(result.code).toBe(EXIT.ok);
      const ops =
        json<{ name: string; kind: string; description: string; input_schema: { type: string; properties: object } }[]>(
          result,
        );
      expect(ops.length).toBeGreaterThanOrEqual(20);
      expect(new Set(ops.map((op) => op.name)).size).toBe(ops.length);
      for (const op of ops) {
        expect(Object.keys(op).sort()).toEqual(['description', 'input_schema', 'kind', 'name']);
        expect(op.description.length).toBeGreaterThan(0);
        expect(op.kind).toMatch(/^[a-z]+\.[a-z_]+$/);
        expect(op.input_schema.type).toBe('object');
      }
      const byName = new Map(ops.map((op) => [op.name, op]));
      expect(byName.get('refund_charge')).toMatchObject({ kind: 'money.refund' });
      expect(Object.keys(byName.get('refund_charge')?.input_schema.properties ?? {})).toEqual(
        expect.arrayContaining(['charge_id', 'amount', 'reason', 'case_id']),
      );
      expect(byName.get('get_invoice')).toMatchObject({ kind: 'data.read' });
      expect(Object.keys(byName.get('get_invoice')?.input_schema.properties ?? {})).toEqual(
        expect.arrayContaining(['invoice_id', 'number']),
      );
    },
    TEST_TIMEOUT,
  );

  it(
    "a clerk's refund becomes a proposal awaiting approval, and audit verify --json still proves the chain",
    async ({ expect }) => {
      const { charge } = await findPaidInvoice();
      const dir = demoCopy();
      const input = { charge_id: charge.id, amount: 100, reason: 'charged twice', case_id: 'T-1042' };
      const result = await proposeRefund(dir, CLERK, input);
      expect(result.code).toBe(EXIT.ok);
      const proposal = json<ProposalJson>(result);
      expect(proposal.id).toMatch(/^prop_/);
      expect(proposal).toMatchObject({ operation: 'refund_charge', kind: 'money.refund' });
      expect(proposal.preview).toMatchObject({
        money: { amount: 100, currency: charge.currency },
        targets: [charge.id],
        customers: [{ id: charge.customerId }],
        reversible: false,
      });
      expect(proposal.preview.summary).toContain(charge.id);
      // Under short-leash every refund needs a second member, even one within the clerk's cap.
      expect(proposal.decision.outcome).toBe('warn');
      expect(proposal.decision.reasons.map((reason) => reason.policyId)).toEqual(['approve.money']);
      expect(proposal.status).toBe('awaiting_approval');
      expect(proposal.approval?.id).toMatch(/^apr_/);

      const verify = await leash(dir, ['audit', 'verify', '--json']);
      expect(verify.code).toBe(EXIT.ok);
      const verdict = json<{
        ok: boolean;
        rows: number;
        first_bad_row: unknown;
        checkpoints: { checked: number; latest_seq: number | null };
      }>(verify);
      expect(verdict).toEqual({
        ok: true,
        rows: expect.any(Number),
        first_bad_row: null,
        checkpoints: { checked: expect.any(Number), latest_seq: verdict.checkpoints.latest_seq },
      });
      expect(verdict.rows).toBeGreaterThan(0);
    },
    TEST_TIMEOUT,
  );

  it(
    "a refund far above a clerk's cap warns and asks for an approver whose cap covers it",
    async ({ expect }) => {
      const { charge } = await findPaidInvoice();
      const remaining = charge.amount - charge.amountRefunded;
      expect(remaining).toBeGreaterThan(5 * (clerkCaps[charge.currency] ?? 0));
      const input = { charge_id: charge.id, reason: 'service outage', case_id: 'T-2001' };
      const result = await proposeRefund(demoCopy(), CLERK, input);
      expect(result.code).toBe(EXIT.ok);
      const proposal = json<ProposalJson>(result);
      expect(proposal.id).toMatch(/^prop_/);
      expect(proposal.preview.money).toEqual({ amount: remaining, currency: charge.currency });
      expect(proposal.decision.outcome).toBe('warn');
      expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('approve.money');
      expect(proposal.decision.requiredApprovers.minCap).toEqual({ amount: remaining, currency: charge.currency });
      expect(proposal.status).toBe('awaiting_approval');
      expect(proposal.approval?.status).toBe('pending');
    },
    TEST_TIMEOUT,
  );

  it(
    'a read_only member trying a refund is BLOCKed: exit 3, no approval request',
    async ({ expect }) => {
      const { charge } = await findPaidInvoice();
      const input = { charge_id: charge.id, amount: 100, reason: 'charged twice', case_id: 'T-3003' };
      const result = await proposeRefund(demoCopy(), READER, input);
      expect(result.code).toBe(EXIT.blocked);
      expect(result.stderr).toBe('');
      const proposal = json<ProposalJson>(result);
      expect(proposal.decision.outcome).toBe('block');
      expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('role.not_permitted');
      expect(proposal.status).toBe('blocked');
      expect(proposal.approval).toBeNull();
    },
    TEST_TIMEOUT,
  );

  it(
    'duplicates --json finds the demo double checkout, with both live subscriptions as evidence',
    async ({ expect }) => {
      const result = await leash(servedDir, ['duplicates', '--json']);
      expect(result.code).toBe(EXIT.ok);
      const groups =
        json<
          {
            customer: { id: string; name: string };
            product: { id: string; name: string };
            subscriptions: { subscriptionId: string; status: string; amount: number }[];
            extraPerPeriod: number;
            summary: string;
          }[]
        >(result);
      expect(groups.length).toBeGreaterThanOrEqual(1);
      for (const group of groups) {
        expect(group.subscriptions.length).toBeGreaterThanOrEqual(2);
        expect(new Set(group.subscriptions.map((evidence) => evidence.subscriptionId)).size).toBe(
          group.subscriptions.length,
        );
        for (const evidence of group.subscriptions)
          expect(['active', 'trialing', 'past_due']).toContain(evidence.status);
        expect(group.extraPerPeriod).toBeGreaterThan(0);
        expect(group.summary).toContain(group.customer.name);
      }
      expect(groups.map((group) => group.customer.name)).toContain('Globex');
    },
    TEST_TIMEOUT,
  );

  it(
    'insights movements --json prints { currency, series } in minor units, each month adding up to the next',
    async ({ expect }) => {
      const result = await leash(servedDir, ['insights', 'movements', '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(EXIT.ok);
      const answer = json<{
        currency: string;
        series: {
          month: string;
          mrr: number;
          new: number;
          expansion: number;
          contraction: number;
          churn: number;
          reactivation: number;
        }[];
      }>(result);
      expect(answer.currency).toBe('usd');
      expect(answer.series).toHaveLength(12);
      expect(answer.series.at(-1)?.month).toBe(DEMO_END.slice(0, 7));
      for (const [index, month] of answer.series.entries()) {
        expect(month.month).toMatch(/^\d{4}-\d{2}$/);
        for (const value of [month.mrr, month.new, month.expansion, month.contraction, month.churn])
          expect(Number.isInteger(value) && value >= 0).toBe(true);
        const previous = answer.series[index - 1];
        if (previous)
          expect(
            previous.mrr + month.new + month.expansion + month.reactivation - month.contraction - month.churn,
          ).toBe(month.mrr);
      }
      expect(answer.series.at(-1)?.mrr).toBeGreaterThan(0);
      const bad = await leash(servedDir, ['insights', 'mrr', '--from', '2026-13']);
      expect(bad.code).toBe(EXIT.badInput);
      expect(stderrLines(bad)).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'ticket "I was charged twice for March" on a demo double charge: cites both charges, safe draft, refund awaiting approval',
    async ({ expect }) => {
      const target = demo.summary.doubleCharges[0];
      expect(target).toBeDefined();
      const dir = demoCopy();
      const result = await leash(dir, [
        'ticket',
        'I was charged twice for March',
        '--customer',
        target ?? '',
        '--as',
        CLERK,
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(EXIT.ok);
      const ticket = json<{
        ticket: { number: string; status: string };
        classification: { label: string };
        facts: { label: string; sources: string[] }[];
        draft: string;
        findings: unknown[];
        proposals: { operation: string; outcome: string; status: string }[];
      }>(result);
      expect(['invoice', 'refund']).toContain(ticket.classification.label);
      const double = ticket.facts.find((fact) => fact.label === 'Possible double charge');
      const charges = double?.sources.filter((id) => id.startsWith('ch_')) ?? [];
      expect(charges).toHaveLength(2);
      // The reply cites invoice numbers, dates and amounts, not the charges' internal ids (issue 18).
      for (const charge of charges) expect(ticket.draft).not.toContain(charge);
      expect(ticket.draft).toMatch(/INV-\d{6}/);
      expect(ticket.findings).toEqual([]);
      expect(ticket.proposals[0]).toMatchObject({
        operation: 'refund_charge',
        outcome: 'warn',
        status: 'awaiting_approval',
      });
      expect(ticket.ticket).toMatchObject({ number: 'T-1001', status: 'waiting_approval' });
      const listed = await leash(dir, ['tickets', '--json']);
      expect(json<{ number: string }[]>(listed).map((row) => row.number)).toEqual(['T-1001']);
      const pending = await leash(dir, ['approvals', 'list', '--json']);
      expect(pending.stdout).toContain('refund_charge');
    },
    TEST_TIMEOUT,
  );

  it(
    'mcp on stdio with an API key from keys create: the real MCP client lists the tools and runs a read',
    async ({ expect }) => {
      // Through the running server, as Claude Desktop's `leash mcp` reaches a store the dashboard holds.
      const dir = servedDir;
      const created = await leash(dir, ['keys', 'create', '--as', CLERK, '--name', 'cli test', '--json']);
      expect(created.code).toBe(EXIT.ok);
      const { key } = json<{ key: string }>(created);
      expect(key).toMatch(/^lk_/);
      await acquireSlot();
      const client = new Client({ name: 'cli-test', version: '1.0.0' });
      try {
        await client.connect(
          new StdioClientTransport({
            command: process.execPath,
            args: ['bin/leash.js', 'mcp'],
            cwd: REPO_ROOT,
            env: { ...(childEnv(dir) as Record<string, string>), LEASH_API_KEY: key },
            stderr: 'ignore',
          }),
        );
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['get_invoice', 'refund_charge']));
        const result = await client.callTool({ name: 'find_duplicate_subscriptions', arguments: {} });
        expect(result.isError).toBeFalsy();
        expect(JSON.stringify(result.content)).toContain('Globex');
      } finally {
        await client.close();
        releaseSlot();
      }
      const listed = await leash(dir, ['keys', 'list', '--as', OWNER, '--json']);
      expect(json<{ name: string; lastUsedAt: string | null }[]>(listed)).toEqual([
        expect.objectContaining({ name: 'cli test', lastUsedAt: expect.any(String) }),
      ]);
      expect(listed.stdout).not.toContain(key);
      // Without a key or a member to act as, mcp refuses to start.
      const refused = await leash(dir, ['mcp']);
      expect(refused.code).toBe(EXIT.badInput);
      expect(stderrLines(refused)).toHaveLength(1);
    },
    LONG_TEST_TIMEOUT,
  );

  it(
    'mcp on stdio then leash start: a clerk proposes a refund and cannot approve it; finance approves over HTTP; one execution, chain intact',
    async ({ expect }) => {
      const { charge } = await findPaidInvoice();
      const dir = demoCopy();
      const keyOf = async (email: string) =>
        json<{ key: string }>(await leash(dir, ['keys', 'create', '--as', email, '--name', 'e2e', '--json'])).key;
      const clerkKey = await keyOf(CLERK);
      const financeKey = await keyOf('fiona@northwind.test');
      await acquireSlot();
      const client = new Client({ name: 'cli-e2e', version: '1.0.0' });
      let proposal: { id: string; approval: { id: string } };
      try {
        await client.connect(
          new StdioClientTransport({
            command: process.execPath,
            args: ['bin/leash.js', 'mcp'],
            cwd: REPO_ROOT,
            env: { ...(childEnv(dir) as Record<string, string>), LEASH_API_KEY: clerkKey },
            stderr: 'ignore',
          }),
        );
        const read = await client.callTool({ name: 'get_invoice', arguments: { invoice_id: charge.invoiceId } });
        expect(read.isError).toBeFalsy();
        const proposed = await client.callTool({
          name: 'refund_charge',
          arguments: { charge_id: charge.id, amount: 500, reason: 'charged twice', case_id: 'T-42' },
        });
        expect(proposed.structuredContent).toMatchObject({ status: 'awaiting_approval' });
        proposal = proposed.structuredContent as typeof proposal;
        const own = await client.callTool({
          name: 'approve_request',
          arguments: { approval_id: proposal.approval.id, reason: 'my own', confirm_text: 'CONFIRM' },
        });
        expect(own.isError).toBe(true);
      } finally {
        await client.close();
        releaseSlot();
      }
      // The stdio process has released the embedded store; the server takes it.
      const port = await freePort();
      await acquireSlot();
      const server = spawn(process.execPath, ['bin/leash.js', 'start', '--port', String(port)], {
        cwd: REPO_ROOT,
        env: childEnv(dir),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let output = '';
        await new Promise<void>((resolve, reject) => {
          server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            output += chunk;
            if (output.includes('Leash is running')) resolve();
          });
          server.on('exit', (code) => reject(new Error(`leash start exited ${code}: ${output}`)));
        });
        const api = async (method: string, path: string, body?: unknown) => {
          const response = await fetch(`http://127.0.0.1:${port}${path}`, {
            method,
            headers: { authorization: `Bearer ${financeKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        };
        const approved = await api('POST', `/api/approvals/${proposal.approval.id}/approve`, {
          reason: 'duplicate confirmed',
          confirm_text: 'CONFIRM',
        });
        expect(approved.body).toMatchObject({ status: 'succeeded' });
        const executions = await api('GET', '/api/audit?event=execution.succeeded&limit=1000');
        const mine = (executions.body.events as { proposalId: string }[]).filter(
          (event) => event.proposalId === proposal.id,
        );
        expect(mine).toHaveLength(1);
        expect((await api('GET', '/api/audit/verify')).body).toMatchObject({ ok: true });
      } finally {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('close', resolve));
        releaseSlot();
      }
    },
    LONG_TEST_TIMEOUT,
  );

  it(
    'policy test runs the shipped YAML cases and exits 0',
    async ({ expect }) => {
      const result = await leash(scratchDir(), ['policy', 'test']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(EXIT.ok);
      expect(result.stdout).toMatch(/\d+ passed, 0 failed/);
    },
    TEST_TIMEOUT,
  );

  it(
    'two demo --seed 42 runs into fresh data directories give identical invoices --json',
    async ({ expect }) => {
      const again = scratchDir();
      const built = await buildDemo(again);
      expect(built.code).toBe(EXIT.ok);
      const [first, second] = await Promise.all([
        leash(servedDir, ['invoices', '--limit', '1000', '--json']),
        leash(again, ['invoices', '--limit', '1000', '--json']),
      ]);
      expect(first.code).toBe(EXIT.ok);
      expect(second.code).toBe(EXIT.ok);
      expect(json<InvoiceJson[]>(first).length).toBe(demo.summary.invoices);
      expect(second.stdout).toBe(first.stdout);
    },
    TEST_TIMEOUT,
  );

  it(
    "clock show --json prints the ledger's now: the end of the demo history",
    async ({ expect }) => {
      const result = await leash(servedDir, ['clock', 'show', '--json']);
      expect(result.code).toBe(EXIT.ok);
      expect(json(result)).toEqual({ now: `${DEMO_END}T00:00:00.000Z` });
    },
    TEST_TIMEOUT,
  );
  it(
    'ask --json proposes through the pipeline, yes confirms nothing that needs approval, conversations lists it',
    async ({ expect }) => {
      // Through the running server: proposals and conversations change no billing the read-only tests look at.
      const dir = servedDir;
      const asked = await leash(dir, [
        'ask',
        'Refund the last invoice for customer Acme Corp. Reason: service outage',
        '--as',
        CLERK,
        '--json',
      ]);
      expect(asked.code, asked.stderr).toBe(EXIT.ok);
      const answer = json<{
        reply: string;
        conversation_id: string;
        calls: { operation: string; input: Record<string, unknown>; outcome: string }[];
      }>(asked);
      expect(answer.calls.map((call) => call.operation)).toEqual([
        'resolve_mentions',
        'list_invoices',
        'refund_charge',
      ]);
      expect(answer.calls[1]).toMatchObject({
        input: { customer: 'Acme Corp', status: 'paid', limit: 1 },
        outcome: 'read',
      });
      expect(['warn', 'block']).toContain(answer.calls[2]?.outcome);
      expect(answer.calls[2]?.input).toMatchObject({ reason: 'service outage', case_id: answer.conversation_id });
      const yes = await leash(dir, ['ask', 'yes', '--conversation', answer.conversation_id, '--as', CLERK, '--json']);
      expect(json<{ calls: unknown[] }>(yes).calls).toEqual([]);
      const listed = await leash(dir, ['conversations', '--as', CLERK, '--json']);
      expect(json<{ id: string; title: string }[]>(listed)).toEqual([
        expect.objectContaining({
          id: answer.conversation_id,
          title: 'Refund the last invoice for customer Acme Corp. Reason:…',
        }),
      ]);
      const unknown = await leash(dir, ['ask', 'hello', '--as', CLERK, '--planner', 'gpt']);
      expect(unknown.code).toBe(EXIT.badInput);
      expect(stderrLines(unknown)).toEqual(['leash: unknown planner "gpt" (builtin or llm)']);
    },
    TEST_TIMEOUT,
  );

  it(
    'eval of the hostile-model suite through a scripted model: every scenario holds, zero unauthorized effects',
    async ({ expect }) => {
      const result = await leash(scratchDir(), ['eval', 'evals/hostile-model.yaml', '--planner', 'llm', '--json']);
      expect(result.code, result.stderr).toBe(EXIT.ok);
      const report = json<{
        passed: number;
        failed: number;
        skipped: number;
        unauthorizedEffects: number;
        unauditedCalls: number;
      }>(result);
      expect(report).toMatchObject({ failed: 0, skipped: 0, unauthorizedEffects: 0, unauditedCalls: 0 });
      expect(report.passed).toBe(8);
    },
    LONG_TEST_TIMEOUT,
  );
  it(
    'connect stripe refuses a secret key with what to do instead; connect status shows the ledger still answers',
    async ({ expect }) => {
      const dir = demoCopy();
      const refused = await leash(dir, ['connect', 'stripe', '--key', `sk_test_${'x'.repeat(30)}`, '--as', OWNER]);
      expect(refused.code).toBe(EXIT.badInput);
      expect(stderrLines(refused)).toEqual([
        expect.stringMatching(/^leash: that is a secret key, .*create a restricted key/),
      ]);
      expect(refused.stderr).not.toContain('x'.repeat(30));
      const status = await leash(dir, ['connect', 'status', '--json']);
      expect(json<{ status: string; keyHint: string | null }>(status)).toMatchObject({
        status: 'not_connected',
        keyHint: null,
      });
    },
    TEST_TIMEOUT,
  );
  it(
    'chat reads piped requests in one conversation: a list, then a follow-up on its first item',
    async ({ expect }) => {
      const result = await leash(
        demoCopy(),
        ['chat', '--as', CLERK],
        'Show me some invoices\ntell me more about the first one\n/list\n/quit\n',
      );
      expect(result.code, result.stderr).toBe(EXIT.ok);
      expect(result.stdout).toContain('you › Show me some invoices');
      expect(result.stdout).toMatch(/invoices match:\n1\. (INV-\d{6})/);
      const first = /invoices match:\n1\. (INV-\d{6})/.exec(result.stdout)?.[1];
      expect(result.stdout).toContain(`leash › ${first} for `);
      expect(result.stdout).toMatch(/conv_\w+ {2}Show me some invoices/);
    },
    TEST_TIMEOUT,
  );
});
