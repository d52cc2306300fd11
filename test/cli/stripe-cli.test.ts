/**
 * End to end with the real `leash` command and the offline Stripe fake on loopback: connect a restricted key,
 * sync the account (with progress), then a clerk's refund proposed and approved from the CLI lands in Stripe
 * once with the proposal's key, the agent answers from the mirror, and disconnecting returns billing to the
 * ledger. The demo business is copied into the fake first, so the ids are the ones the demo printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { openStore } from '../../src/store/db.ts';
import { type CliResult, json, runLeash } from '../support/cli.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

const TIMEOUT = 240_000;

let root = '';
let dataDir = '';
let fake: StripeFake;
const masterKey = randomBytes(32).toString('hex');

/** `leash …args` on the test's data directory, with the fake as Stripe. */
function leash(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LEASH_DATA_DIR: dataDir,
    LEASH_MASTER_KEY: masterKey,
    LEASH_STRIPE_API_BASE: fake.url,
    ...env,
  };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG', 'LEASH_STRIPE_KEY'])
    if (!(name in env)) delete childEnv[name];
  return runLeash(args, { env: childEnv, timeoutMs: 120_000 });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-stripe-cli-'));
  dataDir = join(root, 'data');
  fake = await startStripeFake();
  const today = new Date().toISOString().slice(0, 10);
  const demo = await leash(['demo', '--customers', '10', '--months', '3', '--seed', '7', '--end', today, '--json']);
  if (demo.code !== 0) throw new Error(`leash demo failed:\n${demo.stderr}`);
  // The children's embedded store, even when the suite itself runs on PostgreSQL (DATABASE_URL).
  const store = await openStore({ dataDir, databaseUrl: '' });
  try {
    await fake.seedFromLedger(new LedgerConnector(store.db, 'org_demo'));
  } finally {
    await store.close();
  }
}, TIMEOUT);

afterAll(async () => {
  await fake?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('leash with Stripe, end to end (the offline fake)', () => {
  it(
    'refuses a secret key, then connects the restricted one with a webhook secret',
    async () => {
      const refused = await leash(['connect', 'stripe', '--as', 'olivia@northwind.test'], {
        LEASH_STRIPE_KEY: `sk_test_${'a'.repeat(24)}`,
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/restricted key/i);
      const connected = await leash(
        ['connect', 'stripe', '--webhook-secret', fake.webhookSecret, '--as', 'olivia@northwind.test'],
        { LEASH_STRIPE_KEY: fake.apiKey },
      );
      expect(connected.code, connected.stderr).toBe(0);
      expect(connected.stdout).toMatch(/Connected Stripe \(test mode, key …?\w{4}\)/);
      expect(connected.stdout).toContain('leash sync stripe');
      expect(`${connected.stdout}${connected.stderr}`).not.toContain(fake.apiKey);
    },
    TIMEOUT,
  );

  it(
    'syncs the account with progress, then billing runs on the mirror',
    async () => {
      const synced = await leash(['sync', 'stripe', '--as', 'olivia@northwind.test']);
      expect(synced.code, synced.stderr).toBe(0);
      expect(synced.stderr).toMatch(/Mirroring the Stripe account/);
      expect(synced.stdout).toMatch(/Listed \d+ objects in \d+ pages/);
      expect(synced.stdout).toContain('Billing now runs on the Stripe mirror.');
      const status = await leash(['connect', 'status']);
      expect(status.stdout).toMatch(/Billing runs on the Stripe mirror/);
      expect(fake.invalidRequests).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'a clerk’s refund, approved by finance from the CLI, is made in Stripe once with the proposal’s key',
    async () => {
      const charge = fake
        .objects('charge')
        .find((c) => c.status === 'succeeded' && c.amount_refunded === 0 && (c.amount as number) > 1_000);
      if (!charge) throw new Error('no charge to refund in the fake');
      const proposed = json<{ id: string; decision: { outcome: string }; approval: { id: string } }>(
        await leash([
          'run',
          'refund_charge',
          '--as',
          'carl@northwind.test',
          '--input',
          JSON.stringify({ charge_id: charge.id, amount: 500, reason: 'charged twice', case_id: 'T-9' }),
          '--json',
        ]),
      );
      expect(proposed.decision.outcome).toBe('warn');
      expect(fake.objects('refund').filter((refund) => refund.charge === charge.id)).toHaveLength(0);
      const approved = await leash([
        'approvals',
        'approve',
        proposed.approval.id,
        '--as',
        'fiona@northwind.test',
        '--reason',
        'verified the double charge',
        '--confirm-text',
        'CONFIRM',
        '--json',
      ]);
      expect(approved.code, approved.stderr).toBe(0);
      const refunds = fake.objects('refund').filter((refund) => refund.charge === charge.id);
      expect(refunds).toHaveLength(1);
      expect(refunds[0]?.amount).toBe(500);
      expect(refunds[0]?.metadata).toMatchObject({ leash_proposal_id: proposed.id });
      const posts = fake.requests.filter((request) => request.method === 'POST' && request.path === '/v1/refunds');
      expect(posts.at(-1)?.idempotencyKey).toBe(`leash_${proposed.id}`);
    },
    TIMEOUT,
  );

  it(
    'the agent answers from the mirror',
    async () => {
      const customer = fake.objects('customer')[0];
      if (!customer) throw new Error('no customer in the fake');
      const asked = json<{ calls: { operation: string; outcome: string; input: Record<string, unknown> }[] }>(
        await leash(['ask', `show invoices for ${customer.email}`, '--as', 'rita@northwind.test', '--json']),
      );
      const listed = asked.calls.find((call) => call.operation === 'list_invoices');
      expect(listed?.outcome).toBe('read');
    },
    TIMEOUT,
  );

  it(
    'disconnecting erases the key and returns billing to the ledger',
    async () => {
      const done = await leash(['disconnect', 'stripe', '--as', 'olivia@northwind.test']);
      expect(done.code, done.stderr).toBe(0);
      const status = await leash(['connect', 'status']);
      expect(status.stdout).toMatch(/Billing runs on the embedded ledger/);
    },
    TIMEOUT,
  );
});
