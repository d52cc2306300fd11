/**
 * mrr_movements: MRR by month and what moved it (new, expansion, contraction, churn, reactivation), after
 * ChartMogul's method (see connectors/ledger/revenue-analytics.ts). MRR(month) = MRR(previous) + movements.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Currency } from '../domain/money.ts';
import { defineRead } from '../operations/define-operation.ts';
import {
  type Chart,
  currencyField,
  describeWindow,
  monthStart,
  monthsIn,
  resolveWindow,
  show,
  windowFields,
} from '../operations/period.ts';

/** Input of mrr_movements. */
export const mrrMovementsInput = z.object({ ...windowFields, currency: currencyField }).strict();

/** One month: MRR at its end and the movements during it, minor units (churn, contraction: amounts lost). */
export interface MrrMonth {
  month: string;
  mrr: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
}

/** The movement names, in the order people read them. */
export const MOVEMENTS = ['new', 'expansion', 'reactivation', 'contraction', 'churn'] as const;

/** The org's main currency: the one most customers are billed in. */
export async function mainCurrency(connector: BillingConnector, wanted: Currency | undefined): Promise<Currency> {
  if (wanted) return wanted;
  return (await connector.customerCurrencies())[0]?.currency ?? 'usd';
}

/** MRR and its movements by month. */
export const mrrMovements = defineRead({
  name: 'mrr_movements',
  description:
    'MRR by month and its movements (new, expansion, contraction, churn, reactivation) in one currency, ChartMogul method; from/to as YYYY-MM or YYYY-MM-DD (default: the last 12 months).',
  kind: 'data.read',
  input: mrrMovementsInput,
  async run(_context, input, connector) {
    const now = await connector.now();
    const window = resolveWindow(input, now, 12);
    // The currencies once: the main one when none is asked for, and the others the answer offers.
    const others = await connector.customerCurrencies();
    const currency = input.currency ?? others[0]?.currency ?? 'usd';
    const [opening, movements] = await Promise.all([
      connector.mrrAt({ currency, at: window.from }),
      connector.mrrMovements({ currency, ...window }),
    ]);
    const byMonth = new Map(movements.map((row) => [row.month, row]));
    let mrr = opening;
    const series: MrrMonth[] = monthsIn(window).map((month) => {
      const row = byMonth.get(month) ?? { new: 0, expansion: 0, contraction: 0, churn: 0, reactivation: 0 };
      mrr += row.new + row.expansion + row.reactivation - row.contraction - row.churn;
      return {
        month,
        mrr,
        new: row.new,
        expansion: row.expansion,
        contraction: row.contraction,
        churn: row.churn,
        reactivation: row.reactivation,
      };
    });
    const totals = Object.fromEntries(
      MOVEMENTS.map((movement) => [movement, series.reduce((sum, month) => sum + month[movement], 0)]),
    ) as Record<(typeof MOVEMENTS)[number], number>;
    const closing = mrr;
    return {
      currency,
      window: { from: window.from, until: window.until, label: describeWindow(window) },
      openingMrr: opening,
      mrr: closing,
      change: closing - opening,
      totals,
      series,
      otherCurrencies: others.map((row) => row.currency).filter((code) => code !== currency),
      explanation: explainMovements(currency, opening, closing, totals, window.from < monthStart(now, -1)),
      chart: movementsChart(series),
    };
  },
});

function explainMovements(
  currency: Currency,
  opening: number,
  closing: number,
  totals: Record<(typeof MOVEMENTS)[number], number>,
  long: boolean,
): string {
  const change = closing - opening;
  const direction = change > 0 ? 'grew' : change < 0 ? 'fell' : 'held';
  const gained = totals.new + totals.expansion + totals.reactivation;
  const lost = totals.contraction + totals.churn;
  const biggestLoss = totals.churn >= totals.contraction ? 'churn' : 'contraction';
  const biggestGain = (['new', 'expansion', 'reactivation'] as const).reduce((best, movement) =>
    totals[movement] > totals[best] ? movement : best,
  );
  const first = `MRR ${direction} from ${show(opening, currency)} to ${show(closing, currency)}${
    change === 0 ? '' : ` (${change > 0 ? '+' : '−'}${show(Math.abs(change), currency)})`
  }${long ? ' over the period' : ''}.`;
  const second =
    gained === 0 && lost === 0
      ? 'Nothing moved it: no new, expanded, contracted or churned subscriptions.'
      : `${show(gained, currency)} came in (mostly ${biggestGain}, ${show(totals[biggestGain], currency)}) and ${show(
          lost,
          currency,
        )} went out (mostly ${biggestLoss}, ${show(totals[biggestLoss], currency)}).`;
  return `${first} ${second}`;
}

function movementsChart(series: MrrMonth[]): Chart {
  return {
    kind: 'stacked-bar',
    x: series.map((month) => month.month),
    series: [
      { name: 'mrr', values: series.map((month) => month.mrr) },
      ...MOVEMENTS.map((movement) => ({
        name: movement,
        values: series.map((month) =>
          movement === 'churn' || movement === 'contraction' ? -month[movement] : month[movement],
        ),
      })),
    ],
    unit: 'minor units',
  };
}
