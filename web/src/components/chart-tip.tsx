/**
 * A chart's tooltip: the exact figures of one column (a month, a customer), with a total for stacked amounts.
 * Screen readers get the same figures as the chart's value text (the chart is a slider over its columns).
 */
import { money } from '../format.ts';
import type { ChartSpec } from './chart.tsx';

/** Exact figures for a unit: money to the minor unit, percentages to two decimals, counts in full. */
export function exactFormatterFor(unit: string, currency: string | undefined): (value: number) => string {
  if (unit === 'minor units') return (value: number) => money(value, currency ?? 'usd');
  if (unit.startsWith('percent'))
    return (value: number) => `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value)}%`;
  return (value: number) => new Intl.NumberFormat().format(value);
}

/** "2026-03" → "March 2026"; other labels as they are. */
function longLabel(label: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  if (!month) return label;
  const date = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
  return date.toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The figures of one column, plus their total where they add up to one. */
function figuresOf(spec: ChartSpec, index: number) {
  const values = spec.series.map((series) => ({ name: series.name, value: series.values[index] ?? 0 }));
  // A total only where the parts add up to something: stacked amounts that are all inflows.
  const total =
    spec.kind === 'stacked-bar' && values.length > 1 && values.every((entry) => entry.value >= 0)
      ? values.reduce((sum, entry) => sum + entry.value, 0)
      : null;
  return { values, total };
}

/** One column in words: "March 2026: new $12.00, churn -$3.00". */
export function describeColumn(spec: ChartSpec, index: number, exact: (value: number) => string): string {
  const label = spec.x[index];
  if (label === undefined) return '';
  const { values, total } = figuresOf(spec, index);
  const parts = values.map((entry) => `${entry.name} ${exact(entry.value)}`);
  if (total !== null) parts.push(`total ${exact(total)}`);
  return `${longLabel(label)}: ${parts.join(', ')}`;
}

/** The tooltip of column `index` (none when null), placed over it: `left` is its centre in the chart's `width`. */
export function ChartTip({
  spec,
  index,
  exact,
  colourOf,
  left,
  width,
}: {
  spec: ChartSpec;
  index: number | null;
  exact: (value: number) => string;
  colourOf: (name: string) => string | undefined;
  left: number;
  width: number;
}) {
  const label = index === null ? undefined : spec.x[index];
  const { values, total } = figuresOf(spec, index ?? 0);
  // Kept inside the chart: a tooltip over the first or last column does not hang off the page.
  const percent = Math.min(80, Math.max(20, (left / width) * 100));
  return (
    <div className="chart-tip-region" aria-hidden="true">
      {label === undefined ? null : (
        <div className="chart-tip" style={{ left: `${percent}%` }} data-testid="chart-tip">
          <strong>{longLabel(label)}</strong>
          <ul>
            {values.map((entry) => (
              <li key={entry.name}>
                <span className="swatch" style={{ background: colourOf(entry.name) }} aria-hidden="true" />
                {entry.name}: <span className="num">{exact(entry.value)}</span>
              </li>
            ))}
            {total !== null ? (
              <li className="chart-tip-total">
                total: <span className="num">{exact(total)}</span>
              </li>
            ) : null}
          </ul>
        </div>
      )}
    </div>
  );
}
