/**
 * End to end: `leash check-reply` on a small demo business — exit 3 and the JSON shape for an unbacked claim,
 * the same claim backed once a second member approves the credit (exit 0), standard input with `-`, and clear
 * errors for an unknown customer and an empty reply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { type CliResult, json, runLeash } from '../support/cli.ts';

const TIMEOUT = 240_000;
const OWNER = 'olivia@northwind.test';
const FINANCE = 'fiona@northwind.test';

let root = '';
let dataDir = '';
let customer: { id: string; name: string; email: string };

function leash(args: string[], input?: string): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_ORG', 'LEASH_POLICY_DIR', 'LEASH_DEBUG']) delete env[name];
  return runLeash(args, { env, ...(input !== undefined ? { input } : {}) });
}

interface CheckJson {
  ok: boolean;
  findings: {
    sentence: string;
    kind: string;
    amount?: { amount: number; currency: string | null };
    backed: boolean;
    why: string;
  }[];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leash-check-reply-'));
  dataDir = join(root, 'data');
  const demo = await leash([
    'demo',
    '--customers',
    '8',
    '--months',
    '2',
    '--seed',
    '7',
    '--end',
    '2026-11-22',
    '--json',
  ]);
  if (demo.code !== 0) throw new Error(`leash demo failed: ${demo.stderr}`);
  const listed = await leash(['customers', '--limit', '1', '--json']);
  const [first] = json<(typeof customer)[]>(listed);
  if (!first) throw new Error('the demo has no customer');
  customer = first;
}, TIMEOUT);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('leash check-reply', () => {
  it(
    'an unbacked claim exits 3; once the credit is approved and executed the same claim is backed (exit 0)',
    async () => {
      const reply = "I've added a $50 credit to your account.";
      const before = await leash(['check-reply', reply, '--customer', customer.name, '--json']);
      expect(before.code, before.stderr).toBe(EXIT.blocked);
      expect(json<CheckJson>(before)).toEqual({
        ok: false,
        findings: [
          {
            sentence: reply,
            kind: 'credit',
            amount: { amount: 5_000, currency: 'usd' },
            backed: false,
            why: expect.stringContaining('no executed or approved credit_customer'),
          },
        ],
      });

      const proposed = await leash([
        'run',
        'credit_customer',
        '--as',
        OWNER,
        '--input',
        JSON.stringify({ customer_id: customer.id, amount: 5_000, currency: 'usd', reason: 'outage', case_id: 'T-1' }),
        '--json',
      ]);
      const proposal = json<{ id: string; status: string }>(proposed);
      expect(proposal.status).toBe('awaiting_approval');
      const pending = await leash(['check-reply', reply, '--customer', customer.id, '--json']);
      expect(pending.code).toBe(EXIT.blocked);
      expect(json<CheckJson>(pending).findings[0]?.why).toContain('pending_approval');

      const approvals = json<{ id: string; proposalId: string }[]>(await leash(['approvals', 'list', '--json']));
      const approval = approvals.find((request) => request.proposalId === proposal.id);
      const approved = await leash(['approvals', 'approve', String(approval?.id), '--as', FINANCE, '--reason', 'ok']);
      expect(approved.code, approved.stderr).toBe(EXIT.ok);

      const after = await leash(['check-reply', reply, '--customer', customer.email, '--json']);
      expect(after.code, after.stderr).toBe(EXIT.ok);
      expect(json<CheckJson>(after)).toMatchObject({ ok: true, findings: [{ kind: 'credit', backed: true }] });

      // $80 is more than the $50 that was credited; a date is never backed.
      const more = await leash([
        'check-reply',
        "I've credited $80 to your account by Friday.",
        '--customer',
        customer.id,
      ]);
      expect(more.code).toBe(EXIT.blocked);
      expect(more.stdout).toContain('✗ credit');
      expect(more.stdout).toContain('✗ date');
    },
    TIMEOUT,
  );

  it(
    'reads the reply from standard input with -, and a reply with no claim exits 0',
    async () => {
      const safe = await leash(
        ['check-reply', '-', '--customer', customer.id, '--json'],
        'Hi,\nI drafted a refund request for approval and linked the invoice.\nWe will follow up once it has been reviewed.\n',
      );
      expect(safe.code, safe.stderr).toBe(EXIT.ok);
      expect(json<CheckJson>(safe)).toEqual({ ok: true, findings: [] });
      const unsafe = await leash(['check-reply', '-'], "You won't be charged again.");
      expect(unsafe.code).toBe(EXIT.blocked);
      expect(unsafe.stdout).toContain('no_charge');
    },
    TIMEOUT,
  );

  it(
    'an unknown customer and an empty reply are clear errors',
    async () => {
      const unknown = await leash(['check-reply', 'Your refund is done.', '--customer', 'cus_doesnotexist', '--json']);
      expect(unknown.code).toBe(ERROR_CODES.not_found.exit);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toContain('cus_doesnotexist');
      const empty = await leash(['check-reply', '-'], '   \n');
      expect(empty.code).toBe(EXIT.badInput);
      expect(empty.stderr).toContain('the reply is empty');
      const help = await leash(['check-reply', '--help']);
      expect(help.code).toBe(EXIT.ok);
      expect(help.stdout).toContain('Examples:');
    },
    TIMEOUT,
  );
});
