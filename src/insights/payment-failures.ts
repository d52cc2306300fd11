/** payment_failure_rates: card payment failure rate by region and month, against the previous period. */
import { z } from 'zod';
import type { PaymentAttemptRow } from '../connectors/connector.ts';
import { defineRead } from '../operations/define-operation.ts';
import {
  type Chart,
  describeWindow,
  monthsIn,
  percent,
  previousWindow,
  resolveWindow,
  windowFields,
} from '../operations/period.ts';

/** Input of payment_failure_rates. */
export const paymentFailureRatesInput = z.object({ ...windowFields }).strict();

/** Attempts and failures of one group. */
export interface FailureRate {
  attempts: number;
  failed: number;
  /** failed ÷ attempts, 0–1. */
  rate: number;
}

/** One region (customer country) in the window and in the period before it. */
export interface RegionFailures extends FailureRate {
  country: string;
  previous: FailureRate;
  /** The change of the rate in percentage points. */
  changePoints: number;
  reasons: Record<string, number>;
}

function rateOf(rows: readonly PaymentAttemptRow[]): FailureRate {
  const attempts = rows.reduce((sum, row) => sum + row.attempts, 0);
  const failed = rows.filter((row) => row.failureCode !== null).reduce((sum, row) => sum + row.attempts, 0);
  return { attempts, failed, rate: attempts === 0 ? 0 : failed / attempts };
}

function reasonsOf(rows: readonly PaymentAttemptRow[]): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const row of rows)
    if (row.failureCode) reasons[row.failureCode] = (reasons[row.failureCode] ?? 0) + row.attempts;
  return reasons;
}

function points(current: FailureRate, previous: FailureRate): number {
  return Math.round((current.rate - previous.rate) * 1000) / 10;
}

/** Failure rate of card payments by region and month. */
export const paymentFailureRates = defineRead({
  name: 'payment_failure_rates',
  description:
    'Card payment failure rate by region (customer country) and month, with reasons and the change against the previous period of the same length (default: the last 3 months).',
  kind: 'data.read',
  input: paymentFailureRatesInput,
  async run(_context, input, connector) {
    const window = resolveWindow(input, await connector.now(), 3);
    const before = previousWindow(window);
    const [rows, previousRows] = await Promise.all([
      connector.paymentAttempts(window),
      connector.paymentAttempts(before),
    ]);
    const countries = [...new Set([...rows, ...previousRows].map((row) => row.country))].sort();
    const regions: RegionFailures[] = countries
      .map((country) => {
        const mine = rows.filter((row) => row.country === country);
        const current = rateOf(mine);
        const previous = rateOf(previousRows.filter((row) => row.country === country));
        return { country, ...current, previous, changePoints: points(current, previous), reasons: reasonsOf(mine) };
      })
      .filter((region) => region.attempts > 0)
      .sort((a, b) => b.rate - a.rate || a.country.localeCompare(b.country));
    const months = monthsIn(window).map((month) => ({
      month,
      ...rateOf(rows.filter((row) => row.month === month)),
      byCountry: Object.fromEntries(
        countries.map((country) => [
          country,
          rateOf(rows.filter((row) => row.month === month && row.country === country)).rate,
        ]),
      ),
    }));
    const overall = rateOf(rows);
    const previousOverall = rateOf(previousRows);
    return {
      window: { from: window.from, until: window.until, label: describeWindow(window) },
      overall: { ...overall, previous: previousOverall, changePoints: points(overall, previousOverall) },
      reasons: reasonsOf(rows),
      regions,
      months,
      explanation: explainFailures(overall, previousOverall, regions),
      chart: failureChart(months, regions),
    };
  },
});

function explainFailures(overall: FailureRate, previous: FailureRate, regions: RegionFailures[]): string {
  if (overall.attempts === 0) return 'No card payments were attempted in this period. There is nothing to compare.';
  const change = points(overall, previous);
  const trend =
    previous.attempts === 0
      ? 'with no payments in the period before to compare'
      : change === 0
        ? 'unchanged from the period before'
        : `${change > 0 ? 'up' : 'down'} ${Math.abs(change).toFixed(1)} points from ${percent(previous.failed, previous.attempts)}`;
  const worst = regions[0];
  const mover = [...regions].sort((a, b) => b.changePoints - a.changePoints)[0];
  const second = worst
    ? `${worst.country} fails most (${percent(worst.failed, worst.attempts)} of ${worst.attempts} attempts)${
        mover && mover.changePoints > 0 && mover.country !== worst.country
          ? `, and ${mover.country} worsened most (+${mover.changePoints.toFixed(1)} points)`
          : ''
      }.`
    : '';
  return `${overall.failed} of ${overall.attempts} card payments failed (${percent(overall.failed, overall.attempts)}), ${trend}. ${second}`.trim();
}

function failureChart(
  months: { month: string; byCountry: Record<string, number> }[],
  regions: RegionFailures[],
): Chart {
  return {
    kind: 'line',
    x: months.map((month) => month.month),
    series: regions.map((region) => ({
      name: region.country,
      values: months.map((month) => Math.round((month.byCountry[region.country] ?? 0) * 1000) / 10),
    })),
    unit: 'percent failed',
  };
}
