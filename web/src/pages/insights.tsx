/**
 * Insights: MRR movements, payment failure rate by region, involuntary churn and overdue invoices, each as a
 * chart with the server's own one-line explanation and the headline figures. MRR and churn take a period and a
 * currency, failure rates a period; overdue amounts are drawn per currency.
 */
import { type ReactNode, useState } from 'react';
import { read } from '../api.ts';
import { Chart, type ChartSpec } from '../components/chart.tsx';
import { ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, percent } from '../format.ts';
import { choiceInput, type InsightChoice, InsightControls } from './insight-controls.tsx';
import { OVERDUE_LIMIT, type Overdue, OverdueBody } from './insights-overdue.tsx';
import { type Suggestion, Suggestions } from './insights-suggestions.tsx';

interface InsightWindow {
  until: string;
  label: string;
}

interface Mrr {
  currency: string;
  otherCurrencies: string[];
  window: InsightWindow;
  mrr: number;
  change: number;
  totals: Record<string, number>;
  explanation: string;
  chart: ChartSpec;
}

interface Failures {
  window: InsightWindow;
  overall: { attempts: number; failed: number; rate: number; changePoints: number };
  regions: { country: string; attempts: number; failed: number; rate: number; changePoints: number }[];
  explanation: string;
  chart: ChartSpec;
  suggestions?: Suggestion[];
}

interface Churn {
  currency: string;
  window: InsightWindow;
  subscriptions: number;
  lostMrr: number;
  recovery: { recovered: number; lost: number; open: number; rate: number };
  improvement: { percent: number; annual: number };
  explanation: string;
  chart: ChartSpec;
  suggestions?: Suggestion[];
}

function Panel<T>({
  title,
  state,
  children,
}: {
  title: string;
  state: { data: T | null; error: unknown; loading: boolean };
  children: (data: T) => ReactNode;
}) {
  const id = `insight-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section className="card insight" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {state.data ? children(state.data) : state.loading ? <Loading /> : <ErrorNote error={state.error} />}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="figure">
      <span className="figure-value">{value}</span>
      <span className="figure-label">{label}</span>
    </div>
  );
}

/** The insights page. */
export function InsightsPage() {
  const [mrrChoice, setMrrChoice] = useState<InsightChoice>({ months: 12, currency: null });
  const [failureChoice, setFailureChoice] = useState<InsightChoice>({ months: 3, currency: null });
  const [churnChoice, setChurnChoice] = useState<InsightChoice>({ months: 6, currency: null });
  // The window's end the last answer named: periods are counted back from it (the billing system's now).
  const [until, setUntil] = useState<string | undefined>(undefined);
  const mrr = useLoad(async () => {
    const answer = await read<Mrr>('mrr_movements', choiceInput(mrrChoice, 12, until));
    setUntil(answer.window.until);
    return answer;
  }, [mrrChoice]);
  const failures = useLoad(
    () => read<Failures>('payment_failure_rates', choiceInput(failureChoice, 3, until)),
    [failureChoice],
  );
  const churn = useLoad(() => read<Churn>('involuntary_churn', choiceInput(churnChoice, 6, until)), [churnChoice]);
  const overdue = useLoad(() => read<Overdue>('overdue_summary', { limit: OVERDUE_LIMIT }), []);
  // Every currency the org bills in, from the MRR answer (its own and the others).
  const currencies = mrr.data ? [...new Set([mrr.data.currency, ...mrr.data.otherCurrencies])].sort() : [];
  return (
    <>
      <PageHeader title="Insights">Revenue and payment health, computed from the billing records.</PageHeader>
      <div className="insights-grid">
        <Panel title="MRR movements" state={mrr}>
          {(data) => (
            <>
              <InsightControls
                choice={{ ...mrrChoice, currency: data.currency }}
                currencies={currencies}
                onChange={setMrrChoice}
              />
              <div className="figures">
                <Figure label="MRR now" value={money(data.mrr, data.currency)} />
                <Figure
                  label={`change, ${data.window.label}`}
                  value={`${data.change >= 0 ? '+' : ''}${money(data.change, data.currency)}`}
                />
              </div>
              <Chart
                spec={data.chart}
                title={`MRR movements by month (${data.currency.toUpperCase()})`}
                currency={data.currency}
              />
              <p className="explanation">{data.explanation}</p>
            </>
          )}
        </Panel>
        <Panel title="Payment failure rate by region" state={failures}>
          {(data) => (
            <>
              <InsightControls choice={failureChoice} currencies={[]} onChange={setFailureChoice} />
              <div className="figures">
                <Figure label={`failed, ${data.window.label}`} value={percent(data.overall.rate)} />
                <Figure
                  label="change (points)"
                  value={`${data.overall.changePoints >= 0 ? '+' : ''}${data.overall.changePoints}`}
                />
              </div>
              <ul className="bars" aria-label="Failure rate by region">
                {data.regions.map((region) => (
                  <li key={region.country}>
                    <span className="bar-label">{region.country}</span>
                    <span className="bar-track" aria-hidden="true">
                      <span className="bar-fill" style={{ width: `${Math.min(100, region.rate * 100)}%` }} />
                    </span>
                    <span className="num">
                      {percent(region.rate)} <span className="muted">of {region.attempts}</span>
                    </span>
                  </li>
                ))}
              </ul>
              <Chart spec={data.chart} title="Failure rate by month and region" />
              <p className="explanation">{data.explanation}</p>
              <Suggestions items={data.suggestions} />
            </>
          )}
        </Panel>
        <Panel title="Involuntary churn" state={churn}>
          {(data) => (
            <>
              <InsightControls
                choice={{ ...churnChoice, currency: data.currency }}
                currencies={currencies}
                onChange={setChurnChoice}
              />
              <div className="figures">
                <Figure label="MRR lost to failed payments" value={money(data.lostMrr, data.currency)} />
                <Figure label="dunning recovery" value={percent(data.recovery.rate)} />
                <Figure
                  label={`a year, if recovery improved ${data.improvement.percent}%`}
                  value={money(data.improvement.annual, data.currency)}
                />
              </div>
              <Chart
                spec={data.chart}
                title={`MRR lost by month (${data.currency.toUpperCase()})`}
                currency={data.currency}
              />
              <p className="explanation">{data.explanation}</p>
              <Suggestions items={data.suggestions} />
            </>
          )}
        </Panel>
        <Panel title="Overdue invoices" state={overdue}>
          {(data) => (
            <>
              <OverdueBody data={data} />
              <Suggestions items={(data as Overdue & { suggestions?: Suggestion[] }).suggestions} />
            </>
          )}
        </Panel>
      </div>
    </>
  );
}
