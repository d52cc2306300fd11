/** `leash check-reply TEXT [--customer REF] [--ticket ID] [--json]`: the claim checker on a reply, before it is sent. */
import type { Command } from 'commander';
import type { CheckReplyResult } from '../../operations/check-reply.ts';
import { actingAs } from '../acting-option.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { runCliRead } from '../run-read.ts';

/** Reads all of standard input as text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Money in minor units, a percentage or free months, for a person. */
function showAmount(amount: CheckReplyResult['findings'][number]['amount']): string {
  if (!amount) return '';
  if ('percent' in amount) return ` ${amount.percent}%`;
  if ('months' in amount) return ` ${amount.months} month(s) free`;
  return ` ${(amount.amount / (amount.currency === 'jpy' ? 1 : 100)).toFixed(amount.currency === 'jpy' ? 0 : 2)} ${amount.currency?.toUpperCase() ?? '(no currency)'}`;
}

/** Registers `leash check-reply`. */
export function registerCheckReplyCommand(program: Command): void {
  program
    .command('check-reply')
    .description("Check a reply's claims (refunds, credits, cancellations, dates, tax…) against what was done.")
    .argument('<text>', 'the reply, quoted; - reads it from standard input')
    .option('--customer <ref>', 'the customer the reply is to (id, email or name): their recent actions back it')
    .option('--ticket <id>', 'a ticket (T-1001 or id): its customer and proposals back it')
    .option(...actingAs())
    .option('--json', 'print JSON: { ok, findings: [{ sentence, kind, amount?, backed, why }] }')
    .addHelpText(
      'after',
      `
Each sentence that states a refund, credit, discount, cancellation, plan change, charge or non-charge,
date or duration, guarantee, or tax or legal position is a claim. A claim is backed only by an executed or
approved action of that kind for that customer covering that amount (a pending proposal backs nothing);
dates, guarantees, tax and legal claims always need a person. An amount in --json is
{ "amount": minor units, "currency": "usd" } (currency null when the text names none), { "percent": 20 }
or { "months": 3 }.

Exit codes: 0 every claim is backed, 3 a claim is unbacked, 2 bad input (empty text, ambiguous customer),
1 not found.

Examples:
  $ leash check-reply "Your refund of \\$49 has been processed." --customer globex
  $ leash check-reply - --ticket T-1001 --json < reply.txt
  $ leash check-reply "I drafted a refund request for approval." --json`,
    )
    .action(async (text: string, options: { customer?: string; ticket?: string; as?: string; json?: boolean }) => {
      const body = text === '-' ? await readStdin() : text;
      const result = await runCliRead<CheckReplyResult>(
        'check_reply',
        {
          text: body,
          ...(options.customer ? { customer: options.customer } : {}),
          ...(options.ticket ? { ticket: options.ticket } : {}),
        },
        options.as,
      );
      if (!result.ok) process.exitCode = EXIT.blocked;
      if (options.json) {
        printJson({ ok: result.ok, findings: result.findings });
        return;
      }
      const out = (line = '') => process.stdout.write(`${line}\n`);
      const about = result.customer ? ` to ${result.customer.name} (${result.customer.id})` : '';
      if (result.findings.length === 0) {
        out(`No claims in the reply${about}.`);
        return;
      }
      out(`${result.ok ? 'Every claim is backed' : 'Unbacked claims'} in the reply${about}:`);
      for (const finding of result.findings)
        out(
          `  ${finding.backed ? '✓' : '✗'} ${finding.kind}${showAmount(finding.amount)}: "${finding.sentence}" — ${finding.why}`,
        );
    });
}
