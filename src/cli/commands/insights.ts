/** `leash insights …`: revenue and payment health, as figures, two sentences and (with --json) chart series. */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import type { MrrMonth } from '../../insights/mrr-movements.ts';
import type { RegionFailures } from '../../insights/payment-failures.ts';
import type { Suggestion } from '../../insights/suggest.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate, showMoney } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { runCliRead } from '../run-read.ts';

interface InsightOptions {
  from?: string;
  to?: string;
  currency?: string;
  limit?: string;
  improvement?: string;
  as?: string;
  json?: boolean;
}

function windowInput(options: InsightOptions): Record<string, unknown> {
  return {
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.currency ? { currency: options.currency.toLowerCase() } : {}),
  };
}

function withWindow(command: Command, defaultWindow: string): Command {
  return command
    .option('--from <when>', `first month or day (YYYY-MM or YYYY-MM-DD; default: ${defaultWindow})`)
    .option('--to <when>', 'last month or day, inclusive (default: now, at the ledger clock)')
    .option(...actingAs())
    .option('--json', 'print JSON (figures, explanation and chart series; money in minor units)');
}

function say(explanation: string): void {
  process.stdout.write(`${explanation}\n\n`);
}

/**
 * "Suggested next steps: 1. …", each with why and the command that would propose it (a proposal waits for
 * confirmation like any other; the insight itself changes nothing).
 */
function suggestedSteps(answer: { suggestions?: Suggestion[] }): void {
  const steps = answer.suggestions ?? [];
  if (steps.length === 0) return;
  const lines = steps.map(
    (step, index) =>
      `  ${index + 1}. ${step.text}\n     Why: ${step.why}\n     Propose: leash run ${step.operation} --input '${JSON.stringify(step.input).replaceAll("'", "'\\''")}' (with your ticket as "case_id")`,
  );
  process.stdout.write(`\nSuggested next steps:\n${lines.join('\n')}\n`);
}

interface MovementsAnswer {
  currency: string;
  mrr: number;
  change: number;
  series: MrrMonth[];
  explanation: string;
  otherCurrencies: string[];
}

async function movements(options: InsightOptions): Promise<MovementsAnswer> {
  return runCliRead<MovementsAnswer>('mrr_movements', windowInput(options), options.as);
}

function currencyNote(answer: { currency: string; otherCurrencies: string[] }): void {
  if (answer.otherCurrencies.length > 0)
    process.stdout.write(
      `\nIn ${answer.currency.toUpperCase()}; customers are also billed in ${answer.otherCurrencies
        .map((code) => code.toUpperCase())
        .join(', ')} (--currency).\n`,
    );
}

/** Registers `leash insights`. */
export function registerInsightsCommands(program: Command): void {
  const insights = program
    .command('insights')
    .description('Revenue and payment health: MRR and its movements, failure rates, expansion, churn, overdue.')
    .addHelpText(
      'after',
      `
MRR follows ChartMogul's method: recurring licensed prices, annual ÷ 12, after discounts, without tax,
one-off charges or metered usage. MRR(month) = MRR(previous month) + new + expansion + reactivation
− contraction − churn, exactly. Amounts are in one currency (the one most customers use, or --currency).

Examples:
  $ leash insights mrr
  $ leash insights movements --from 2026-01 --json
  $ leash insights failures --from 2026-09
  $ leash insights top-expansion --limit 5
  $ leash insights involuntary-churn --improvement 15
  $ leash insights overdue
  $ leash insights rebuild`,
    );

  insights
    .command('rebuild')
    .description(
      'Recompute the facts the insights read: MRR from the invoices, payment attempts by day and possible double charges from the charges (the whole org, or one customer’s MRR).',
    )
    .option('--customer <id>', 'only this customer (cus_…)')
    .option(...actingAs())
    .option('--json', 'print the summary as JSON (without it: a progress bar on stderr)')
    .addHelpText(
      'after',
      `
Every billing write keeps these facts up to date in its own transaction, so this is rarely needed: run it
after rows were changed outside Leash (a hand-run SQL statement, a restore from an older backup), or when
\`leash insights\` disagrees with what the invoices say. It reads every invoice of the org (a few minutes at a
million invoices), changes nothing when the facts are right, and is audited as one event (insights.rebuilt).

Examples:
  $ leash insights rebuild
  $ leash insights rebuild --customer cus_123 --json`,
    )
    .action(async (options: { customer?: string; as?: string; json?: boolean }) => {
      if (options.customer !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(options.customer))
        throw badInput('--customer', 'a customer id (cus_…)');
      const [{ withSession, resolveActor }, { rebuildMrrFacts }, { appendAuditEvent }, { progressBar }, { newId }] =
        await Promise.all([
          import('../session.ts'),
          import('../../insights/mrr-facts.ts'),
          import('../../audit/append-audit-event.ts'),
          import('../progress.ts'),
          import('../../domain/ids.ts'),
        ]);
      await withSession(async (session) => {
        const actor = await resolveActor(session, options.as, 'write');
        const { db } = session.store;
        if (options.customer) {
          const found = await db
            .selectFrom('customers')
            .select('id')
            .where('orgId', '=', session.org.id)
            .where('id', '=', options.customer)
            .executeTakeFirst();
          if (!found) throw badInput('--customer', `no customer ${options.customer} in this org`);
        }
        const bar = progressBar(!options.json, 'customers');
        const started = Date.now();
        let summary: Awaited<ReturnType<typeof rebuildMrrFacts>>;
        try {
          summary = await db.transaction().execute(async (trx) => {
            const result = await rebuildMrrFacts(trx, {
              orgId: session.org.id,
              ...(options.customer ? { customerId: options.customer } : {}),
              onProgress: bar.onProgress,
            });
            await appendAuditEvent(trx, {
              orgId: session.org.id,
              event: 'insights.rebuilt',
              actorId: actor.id,
              actorEmail: actor.email,
              actorRole: actor.role,
              channel: 'cli',
              requestId: newId('request'),
              customerId: options.customer ?? null,
              result,
            });
            return result;
          });
        } finally {
          bar.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        if (options.json) return printJson({ ...summary, seconds });
        process.stdout.write(
          `Rebuilt the MRR facts of ${summary.customers.toLocaleString('en-US')} customer${summary.customers === 1 ? '' : 's'} in ${seconds.toFixed(1)} s: ${summary.lines.toLocaleString('en-US')} MRR lines, ${summary.changes.toLocaleString('en-US')} MRR changes${
            options.customer
              ? ''
              : `, ${summary.mrrMonths.toLocaleString('en-US')} monthly MRR movement rows (by currency), ${summary.paymentDays.toLocaleString('en-US')} days of payment attempts, ${summary.doubleChargePairs.toLocaleString('en-US')} pairs of possible double charges`
          }; ${
            summary.changed === 0
              ? 'nothing differed from the facts kept'
              : `${summary.changed.toLocaleString('en-US')} rows differed and were corrected`
          }.\n`,
        );
      });
    });

  withWindow(insights.command('mrr').description('MRR now, how it changed, and by month.'), 'the last 12 months')
    .option('--currency <code>', 'usd, eur, gbp, inr, brl or jpy')
    .action(async (options: InsightOptions) => {
      const answer = await movements(options);
      if (options.json) return printJson(answer);
      say(answer.explanation);
      printTable(
        ['month', 'MRR'],
        answer.series.map((month) => [month.month, showMoney(month.mrr, answer.currency)]),
      );
      currencyNote(answer);
    });

  withWindow(
    insights
      .command('movements')
      .description('MRR movements by month: new, expansion, contraction, churn, reactivation.'),
    'the last 12 months',
  )
    .option('--currency <code>', 'usd, eur, gbp, inr, brl or jpy')
    .action(async (options: InsightOptions) => {
      const answer = await movements(options);
      if (options.json)
        return printJson({ currency: answer.currency, series: answer.series, explanation: answer.explanation });
      say(answer.explanation);
      const money = (amount: number) => showMoney(amount, answer.currency);
      printTable(
        ['month', 'MRR', 'new', 'expansion', 'reactivation', 'contraction', 'churn'],
        answer.series.map((month) => [
          month.month,
          money(month.mrr),
          money(month.new),
          money(month.expansion),
          money(month.reactivation),
          money(month.contraction ? -month.contraction : 0),
          money(month.churn ? -month.churn : 0),
        ]),
      );
      currencyNote(answer);
    });

  withWindow(
    insights
      .command('failures')
      .description('Card payment failure rate by region and month, against the period before.'),
    'the last 3 months',
  ).action(async (options: InsightOptions) => {
    const answer = await runCliRead<{ explanation: string; regions: RegionFailures[]; suggestions?: Suggestion[] }>(
      'payment_failure_rates',
      windowInput(options),
      options.as,
    );
    if (options.json) return printJson(answer);
    say(answer.explanation);
    printTable(
      ['region', 'attempts', 'failed', 'rate', 'before', 'change', 'top reason'],
      answer.regions.map((region) => [
        region.country,
        String(region.attempts),
        String(region.failed),
        `${(region.rate * 100).toFixed(1)}%`,
        region.previous.attempts ? `${(region.previous.rate * 100).toFixed(1)}%` : '–',
        `${region.changePoints > 0 ? '+' : ''}${region.changePoints.toFixed(1)} pts`,
        Object.entries(region.reasons).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
      ]),
      'no card payments in this period',
    );
    suggestedSteps(answer);
  });

  withWindow(
    insights.command('top-expansion').description('The customers whose MRR grew most, with their plans.'),
    'the last 3 months',
  )
    .option('--currency <code>', 'usd, eur, gbp, inr, brl or jpy')
    .option('--limit <N>', 'how many customers (1-100)', '10')
    .action(async (options: InsightOptions) => {
      const answer = await runCliRead<{
        currency: string;
        explanation: string;
        customers: { customerId: string; name: string; expansion: number; plans: string[] }[];
      }>(
        'top_expansion',
        { ...windowInput(options), limit: parseIntegerOption('limit', options.limit ?? '10', 1, 100) },
        options.as,
      );
      if (options.json) return printJson(answer);
      say(answer.explanation);
      printTable(
        ['customer', 'id', 'expansion MRR', 'plans now'],
        answer.customers.map((customer) => [
          customer.name,
          customer.customerId,
          showMoney(customer.expansion, answer.currency),
          customer.plans.join(', '),
        ]),
        'no expansion in this period',
      );
    });

  withWindow(
    insights
      .command('involuntary-churn')
      .description('Subscriptions lost after failed payments, and what better recovery is worth.'),
    'the last 6 months',
  )
    .option('--currency <code>', 'usd, eur, gbp, inr, brl or jpy')
    .option('--improvement <percent>', 'share of lost subscriptions better recovery would keep', '10')
    .action(async (options: InsightOptions) => {
      const improvement = Number(options.improvement ?? '10');
      if (!Number.isFinite(improvement) || improvement < 0 || improvement > 100)
        throw badInput('improvement', 'give a percentage from 0 to 100');
      const answer = await runCliRead<{
        currency: string;
        explanation: string;
        months: { month: string; subscriptions: number; mrr: number }[];
        suggestions?: Suggestion[];
      }>('involuntary_churn', { ...windowInput(options), improvement }, options.as);
      if (options.json) return printJson(answer);
      say(answer.explanation);
      printTable(
        ['month', 'subscriptions lost', 'MRR lost'],
        answer.months.map((month) => [month.month, String(month.subscriptions), showMoney(month.mrr, answer.currency)]),
      );
      suggestedSteps(answer);
    });

  insights
    .command('overdue')
    .description('Who owes what past due: days overdue, aging and totals per currency.')
    .option('--limit <N>', 'how many customers to list (1-1000)', '20')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: InsightOptions) => {
      const answer = await runCliRead<{
        explanation: string;
        customers: {
          name: string;
          customerId: string;
          currency: string;
          invoices: number;
          amount: number;
          daysOverdue: number;
          oldestDueDate: string;
          over90: number;
        }[];
        suggestions?: Suggestion[];
      }>('overdue_summary', { limit: parseIntegerOption('limit', options.limit ?? '20', 1, 1000) }, options.as);
      if (options.json) return printJson(answer);
      say(answer.explanation);
      printTable(
        ['customer', 'id', 'invoices', 'past due', 'oldest due', 'days', '90+ days'],
        answer.customers.map((customer) => [
          customer.name,
          customer.customerId,
          String(customer.invoices),
          showMoney(customer.amount, customer.currency),
          showDate(customer.oldestDueDate),
          String(customer.daysOverdue),
          showMoney(customer.over90, customer.currency),
        ]),
        'no overdue invoices',
      );
      suggestedSteps(answer);
    });
}
