/** How the CLI shows a proposal and an execution to a person. */
import { changeLines } from '../domain/change-lines.ts';
import { moneyLine } from '../domain/money-label.ts';
import type { ExecutionOutcome, ProposalView } from '../operations/run-operation.ts';
import { printFields, showMoney, shownTimeZone } from './output.ts';

/** The money line: what the money is and how much ("Refunded to the customer (USD): $12.50"). */
function moneyFields(operation: string, money: ProposalView['preview']['money']): [string, string][] {
  const line = moneyLine(operation, money);
  return line ? [[line.label, showMoney(line.amount, line.currency)]] : [];
}

/** Prints a proposal: preview, decision, reasons and what happens next. */
export function printProposal(proposal: ProposalView): void {
  const { preview, decision } = proposal;
  printFields([
    ['proposal', `${proposal.id} (${proposal.operation}, ${proposal.kind})`],
    ['preview', preview.summary],
    ...moneyFields(proposal.operation, preview.money),
    ['reversible', preview.reversible ? 'yes' : 'NO — cannot be undone'],
    ['decision', decision.outcome.toUpperCase()],
  ]);
  // Every changed value in full (an email, an address), before and after.
  for (const line of changeLines(preview, shownTimeZone())) process.stdout.write(`  ${line}\n`);
  for (const reason of decision.reasons) process.stdout.write(`  · ${reason.message} [${reason.policyId}]\n`);
  process.stdout.write(`next: ${proposal.next}\n`);
  // A proposal made alongside (a bulk action's customer notification) has its own decision and approval.
  for (const companion of proposal.companions ?? []) {
    process.stdout.write('\nalongside it:\n');
    printProposal(companion);
  }
}

/** Prints what an execution came to. */
export function printExecution(outcome: ExecutionOutcome): void {
  process.stdout.write(
    `${outcome.proposalId}: ${outcome.status}${outcome.executionId ? ` (execution ${outcome.executionId})` : ''}\n`,
  );
  for (const reason of outcome.reasons) process.stdout.write(`  · ${reason.message} [${reason.policyId}]\n`);
  if (outcome.status === 'succeeded' && outcome.result) {
    const result = outcome.result as { id?: string };
    if (result.id) process.stdout.write(`  result: ${result.id}\n`);
  }
  if (outcome.status === 'failed' && outcome.result)
    process.stdout.write(`  ${(outcome.result as { message?: string }).message ?? ''}\n`);
}
