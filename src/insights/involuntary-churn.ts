/**
 * involuntary_churn: subscriptions lost because payments failed, the MRR they took with them, how much of
 * dunning recovers today, and what recovering a further share would be worth.
 */
import { z } from 'zod';
import type { DunningOutcome } from '../connectors/connector.ts';
import type { Currency } from '../domain/money.ts';
import { defineRead } from '../operations/define-operation.ts';
import {
  type Chart,
  currencyField,
  describeWindow,
  monthKey,
  monthsIn,
  percent,
  resolveWindow,
  show,
  windowFields,
} from '../operations/period.ts';
import { mainCurrency } from './mrr-movements.ts';

/** Input of involuntary_churn. */
export const involuntaryChurnInput = z
  .object({
    ...windowFields,
    currency: currencyField,
    /** Percentage points of lost subscriptions that better recovery would keep (default 10). */
    improvement: z.number().min(0).max(100).default(10),
  })
  .strict();

function outcomeCount(outcomes: DunningOutcome[], currency: Currency, outcome: DunningOutcome['outcome']): number {
  return outcomes
    .filter((row) => row.currency === currency && row.outcome === outcome)
    .reduce((sum, row) => sum + row.invoices, 0);
}

/** Involuntary churn and the worth of better recovery. */
export const involuntaryChurn = defineRead({
  name: 'involuntary_churn',
  description:
    'Subscriptions lost after failed payments in a period: count, MRR lost, dunning recovery rate, and what recovering a further share (improvement, percent) would be worth (default: the last 6 months).',
  kind: 'data.read',
  input: involuntaryChurnInput,
  async run(_context, input, connector) {
    const window = resolveWindow(input, await connector.now(), 6);
    const currency = await mainCurrency(connector, input.currency);
    const [lost, outcomes] = await Promise.all([connector.involuntaryChurn(window), connector.dunningOutcomes(window)]);
    const mine = lost.filter((row) => row.currency === currency);
    const lostMrr = mine.reduce((sum, row) => sum + row.mrr, 0);
    const recovered = outcomeCount(outcomes, currency, 'recovered');
    const unrecovered = outcomeCount(outcomes, currency, 'lost');
    const stillOpen = outcomeCount(outcomes, currency, 'open');
    const settled = recovered + unrecovered;
    const worthMonthly = Math.round((lostMrr * input.improvement) / 100);
    const months = monthsIn(window).map((month) => {
      const inMonth = mine.filter((row) => monthKey(row.endedAt) === month);
      return { month, subscriptions: inMonth.length, mrr: inMonth.reduce((sum, row) => sum + row.mrr, 0) };
    });
    const chart: Chart = {
      kind: 'bar',
      x: months.map((month) => month.month),
      series: [{ name: 'mrr lost', values: months.map((month) => month.mrr) }],
      unit: 'minor units',
    };
    return {
      currency,
      window: { from: window.from, until: window.until, label: describeWindow(window) },
      subscriptions: mine.length,
      lostMrr,
      recovery: { recovered, lost: unrecovered, open: stillOpen, rate: settled === 0 ? 0 : recovered / settled },
      improvement: { percent: input.improvement, monthly: worthMonthly, annual: worthMonthly * 12 },
      months,
      lost: mine,
      otherCurrencies: [...new Set(lost.map((row) => row.currency))].filter((code) => code !== currency),
      explanation:
        mine.length === 0
          ? `No ${currency.toUpperCase()} subscription was lost to failed payments in ${describeWindow(window)}. Dunning recovered ${recovered} of ${settled} failed invoices that settled.`
          : `${mine.length} subscriptions were lost to failed payments in ${describeWindow(window)}, taking ${show(
              lostMrr,
              currency,
            )} MRR; dunning recovered ${percent(recovered, settled)} of the ${settled} failed invoices that settled. Keeping ${
              input.improvement
            }% more of them would be worth ${show(worthMonthly, currency)} MRR, ${show(worthMonthly * 12, currency)} a year.`,
      chart,
    };
  },
});
