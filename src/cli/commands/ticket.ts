/** `leash ticket "MESSAGE" --customer REF`: the four-role ticket workflow, and `leash tickets` to list them. */
import type { Command } from 'commander';
import type { TicketResult } from '../../agent/ticket/run-ticket.ts';
import type { TicketView } from '../../operations/list-tickets.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { runCliRead } from '../run-read.ts';

function printTicket(result: TicketResult): void {
  const { classification } = result;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`Ticket ${result.ticket.number} for ${result.customer.name} (${result.ticket.status.replace('_', ' ')})`);
  out(`Class: ${classification.label} (${Math.round(classification.confidence * 100)}% sure)`);
  out();
  out('Facts:');
  for (const fact of result.facts) out(`  • ${fact.label}: ${fact.value}  [${fact.sources.join(', ')}]`);
  out();
  out(`Draft reply (not sent${result.messageId ? `; kept as ${result.messageId}` : ''}):`);
  for (const line of result.draft.split('\n')) out(`  │ ${line}`);
  if (result.messageId)
    out(
      `  send it: leash run send_reply --input '{"message_id":"${result.messageId}","reason":"reply","case_id":"${result.ticket.number}"}'`,
    );
  out();
  out(
    result.findings.length === 0
      ? 'Claim check: no claim in the draft.'
      : `Claim check: ${result.findings.map((finding) => `${finding.kind} — ${finding.why}`).join('; ')}`,
  );
  if (result.proposals.length > 0) {
    out();
    out('Proposals opened:');
    for (const proposal of result.proposals)
      out(
        `  • ${proposal.proposal_id} ${proposal.operation}: ${proposal.summary} — ${proposal.outcome.toUpperCase()}, ${proposal.approvers}`,
      );
  }
  if (result.approvalsNeeded.length > 0) {
    out();
    out('Approvals needed:');
    for (const line of result.approvalsNeeded) out(`  • ${line}`);
  }
}

/** Registers `leash ticket` and `leash tickets`. */
export function registerTicketCommands(program: Command): void {
  program
    .command('ticket')
    .description(
      'Open a billing ticket from a customer message: classify, gather facts, draft a reply, open proposals.',
    )
    .argument('<message>', "the customer's message, quoted")
    .requiredOption('--customer <ref>', 'the customer (id, email or name)')
    .option('--as <email>', 'the member handling it (or LEASH_USER)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Four roles run in turn: the Billing Classifier (a trained text model, offline) picks invoice, plan, usage,
refund, cancellation, tax, payment_failure or other; the Account Scout reads what that class needs, each
fact with its ids; the Approval Reviewer opens proposals (a refund request for a double charge) that wait
for approval as usual; the Response Drafter writes a reply with no promise that no approved action backs.
Nothing is sent to the customer. Every step is in the audit log.

Examples:
  $ leash ticket "I was charged twice for March" --customer globex --as carl@northwind.test
  $ leash ticket "What is the seat limit on my plan?" --customer "Initech" --as carl@northwind.test --json`,
    )
    .action(async (message: string, options: { customer: string; as?: string; json?: boolean }) => {
      const [{ runTicket }, { operationContext }, { resolveActor, withSession }] = await Promise.all([
        import('../../agent/ticket/run-ticket.ts'),
        import('../operation-context.ts'),
        import('../session.ts'),
      ]);
      const result = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        return runTicket(operationContext(session, member, session.gate), { message, customer: options.customer });
      });
      if (options.json) return printJson(result);
      printTicket(result);
    });

  program
    .command('tickets')
    .description('List billing tickets, newest first.')
    .option('--customer <ref>', 'only this customer (id, email or name)')
    .option('--status <status>', 'open, waiting_approval or closed')
    .option('--limit <N>', 'how many (1-500)', '50')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { customer?: string; status?: string; limit: string; as?: string; json?: boolean }) => {
      const { tickets } = await runCliRead<{ tickets: TicketView[] }>(
        'list_tickets',
        {
          ...(options.customer ? { customer: options.customer } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: parseIntegerOption('limit', options.limit, 1, 500),
        },
        options.as,
      );
      if (options.json) return printJson(tickets);
      printTable(
        ['ticket', 'opened', 'customer', 'class', 'status', 'message'],
        tickets.map((ticket) => [
          ticket.number,
          showDate(ticket.createdAt),
          ticket.customerId,
          ticket.class,
          ticket.status,
          ticket.message.length > 50 ? `${ticket.message.slice(0, 49)}…` : ticket.message,
        ]),
        'no tickets',
      );
    });
}
