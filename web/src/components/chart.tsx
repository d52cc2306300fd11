/**
 * A small hand-drawn SVG chart for the server's chart specs (`{ kind, x, series, unit }`): bars, stacked bars
 * (outflows such as churn drawn below the axis, a level such as MRR as a line over them) and lines, all in one
 * unit (one currency per chart: a caller with several draws several charts). Pointing at a column, or focusing
 * the chart and moving with the arrow keys, shows its exact figures; the chart also carries them as a table.
 * Why this stays hand-drawn rather than a charting library: docs/decisions/0017-charts.md.
 */
import { type KeyboardEvent, type MouseEvent, useId, useState } from 'react';
import { money } from '../format.ts';
import { ChartTip, describeColumn, exactFormatterFor } from './chart-tip.tsx';
import './chart.css';

/** A chart as insight operations return it. */
export interface ChartSpec {
  kind: string;
  x: string[];
  series: { name: string; values: number[] }[];
  unit: string;
}

const COLOURS = ['#2563eb', '#15803d', '#b45309', '#7c3aed', '#be185d', '#0f766e', '#4b5563', '#b91c1c'];
/** Movements that take money away: drawn below the axis. */
const OUTFLOWS = new Set(['contraction', 'churn']);
/** Levels, not movements: drawn as a line over the bars. */
const LEVELS = new Set(['mrr']);

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };

function formatterFor(unit: string, currency: string | undefined) {
  if (unit === 'minor units') return (value: number) => money(value, currency ?? 'usd', { compact: true });
  if (unit.startsWith('percent')) return (value: number) => `${Math.round(value * 10) / 10}%`;
  return (value: number) => new Intl.NumberFormat(undefined, { notation: 'compact' }).format(value);
}

function niceStep(range: number): number {
  const raw = range / 4 || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function shortLabel(label: string, room: number): string {
  // "2026-03" → "Mar 26"; other labels as they are, cut to the characters that fit under their column.
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  if (month) {
    const date = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
    return date.toLocaleDateString(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });
  }
  return label.length > room ? `${label.slice(0, Math.max(1, room - 1))}…` : label;
}

/** Draws a chart spec with a title, a legend and its data table. */
export function Chart({ spec, title, currency }: { spec: ChartSpec; title: string; currency?: string }) {
  const id = useId();
  const [active, setActive] = useState<number | null>(null);
  const format = formatterFor(spec.unit, currency);
  const exact = exactFormatterFor(spec.unit, currency);
  const lines = spec.kind === 'line' ? spec.series : spec.series.filter((series) => LEVELS.has(series.name));
  const bars = spec.kind === 'line' ? [] : spec.series.filter((series) => !LEVELS.has(series.name));
  const stacked = spec.kind === 'stacked-bar';
  const colourOf = (name: string) => COLOURS[spec.series.findIndex((series) => series.name === name) % COLOURS.length];

  const at = (values: number[], index: number) => values[index] ?? 0;
  let top = 0;
  let bottom = 0;
  spec.x.forEach((_, index) => {
    const up = bars.filter((s) => !OUTFLOWS.has(s.name)).map((s) => Math.abs(at(s.values, index)));
    const down = bars.filter((s) => OUTFLOWS.has(s.name)).map((s) => Math.abs(at(s.values, index)));
    top = Math.max(top, stacked ? up.reduce((a, b) => a + b, 0) : Math.max(0, ...up));
    bottom = Math.max(bottom, stacked ? down.reduce((a, b) => a + b, 0) : Math.max(0, ...down));
    for (const series of lines) top = Math.max(top, at(series.values, index));
  });
  const step = niceStep(top + bottom);
  const max = Math.max(step, Math.ceil(top / step) * step);
  // `|| 0`: no outflows gives -0, which would print as "-$0".
  const min = -Math.ceil(bottom / step) * step || 0;
  const ticks: number[] = [];
  for (let value = min; value <= max + step / 2; value += step) ticks.push(value);
  // Room for the longest axis label at the size a phone draws it (18 units a character, see chart.css).
  const pad = { ...PAD, left: Math.max(PAD.left, 16 + 11 * Math.max(...ticks.map((tick) => format(tick).length))) };
  const plotWidth = WIDTH - pad.left - pad.right;
  const plotHeight = HEIGHT - pad.top - pad.bottom;
  const y = (value: number) => pad.top + ((max - value) / (max - min || 1)) * plotHeight;
  const band = plotWidth / Math.max(1, spec.x.length);
  const labelEvery = Math.ceil(spec.x.length / 8);
  // Characters that fit under a labelled column at the size a phone draws them (about 10 units each).
  const labelRoom = Math.min(14, Math.max(4, Math.floor((band * labelEvery - 16) / 10)));
  const barWidth = stacked || bars.length <= 1 ? band * 0.6 : (band * 0.8) / bars.length;

  const rects: React.ReactElement[] = [];
  spec.x.forEach((label, index) => {
    let up = 0;
    let down = 0;
    bars.forEach((series, order) => {
      const value = Math.abs(at(series.values, index));
      if (value === 0) return;
      const outflow = OUTFLOWS.has(series.name);
      const left = pad.left + band * index + (stacked || bars.length <= 1 ? band * 0.2 : band * 0.1 + barWidth * order);
      const from = stacked ? (outflow ? -down : up) : 0;
      const to = outflow ? from - value : from + value;
      if (stacked) {
        if (outflow) down += value;
        else up += value;
      }
      rects.push(
        <rect
          key={`${series.name}-${label}`}
          x={left}
          width={Math.max(1, barWidth)}
          y={Math.min(y(from), y(to))}
          height={Math.max(1, Math.abs(y(from) - y(to)))}
          fill={colourOf(series.name)}
        />,
      );
    });
  });

  const move = (event: KeyboardEvent<HTMLDivElement>) => {
    const last = spec.x.length - 1;
    const keys: Record<string, number> = {
      ArrowRight: Math.min(last, (active ?? -1) + 1),
      ArrowUp: Math.min(last, (active ?? -1) + 1),
      ArrowLeft: Math.max(0, (active ?? 1) - 1),
      ArrowDown: Math.max(0, (active ?? 1) - 1),
      Home: 0,
      End: last,
    };
    const next = keys[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
  };
  // The column under the pointer, from its place in the drawn (scaled) chart.
  const point = (event: MouseEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const x = ((event.clientX - box.left) / (box.width || 1)) * WIDTH;
    const index = Math.floor((x - pad.left) / band);
    setActive(index >= 0 && index < spec.x.length ? index : null);
  };
  const monthly = /^\d{4}-\d{2}$/.test(spec.x[0] ?? '');

  if (spec.series.every((series) => series.values.every((value) => value === 0)))
    return (
      <figure className="chart" aria-labelledby={`${id}-title`}>
        <figcaption id={`${id}-title`} className="chart-title">
          {title}
        </figcaption>
        <p className="muted">Nothing to draw: every value in this window is zero.</p>
      </figure>
    );
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      <div
        className="chart-plot"
        role="slider"
        aria-label={`${title}: the arrow keys move from ${monthly ? 'month to month' : 'one to the next'} and read the exact figures`}
        aria-valuemin={1}
        aria-valuemax={spec.x.length}
        aria-valuenow={(active ?? 0) + 1}
        aria-valuetext={describeColumn(spec, active ?? 0, exact)}
        tabIndex={0}
        onKeyDown={move}
        onFocus={() => setActive((current) => current ?? 0)}
        onBlur={() => setActive(null)}
        onMouseMove={point}
        onMouseLeave={() => setActive(null)}
      >
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true">
          {active !== null ? (
            <rect
              x={pad.left + band * active}
              y={pad.top}
              width={band}
              height={plotHeight}
              className="chart-band-active"
            />
          ) : null}
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={pad.left} x2={WIDTH - pad.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
              <text x={pad.left - 6} y={y(tick) + 4} textAnchor="end" className="chart-axis">
                {format(tick)}
              </text>
            </g>
          ))}
          {rects}
          {lines.map((series) => (
            <polyline
              key={series.name}
              fill="none"
              stroke={colourOf(series.name)}
              strokeWidth={2.5}
              points={series.values.map((value, index) => `${pad.left + band * (index + 0.5)},${y(value)}`).join(' ')}
            />
          ))}
          {spec.x.map((label, index) =>
            index % labelEvery === 0 ? (
              <text
                key={label}
                x={pad.left + band * (index + 0.5)}
                y={HEIGHT - 8}
                textAnchor="middle"
                className="chart-axis"
              >
                {shortLabel(label, labelRoom)}
              </text>
            ) : null,
          )}
          <line x1={pad.left} x2={WIDTH - pad.right} y1={y(0)} y2={y(0)} className="chart-zero" />
        </svg>
        <ChartTip
          spec={spec}
          index={active}
          exact={exact}
          colourOf={colourOf}
          left={pad.left + band * ((active ?? 0) + 0.5)}
          width={WIDTH}
        />
      </div>
      <ul className="legend">
        {spec.series.map((series) => (
          <li key={series.name}>
            <span className="swatch" style={{ background: colourOf(series.name) }} aria-hidden="true" />
            {series.name}
            {OUTFLOWS.has(series.name) && stacked ? ' (below the line)' : ''}
            {LEVELS.has(series.name) && spec.kind !== 'line' ? ' (line)' : ''}
          </li>
        ))}
      </ul>
      <details className="chart-data">
        <summary>Show the numbers</summary>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{spec.kind === 'line' || /^\d{4}-\d{2}$/.test(spec.x[0] ?? '') ? 'Month' : 'Item'}</th>
                {spec.series.map((series) => (
                  <th scope="col" key={series.name}>
                    {series.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {spec.x.map((label, index) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {spec.series.map((series) => (
                    <td key={series.name} className="num">
                      {exact(at(series.values, index))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
