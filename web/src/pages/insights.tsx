/**
 * Insights: MRR movements, payment failure rate by region, involuntary churn and overdue invoices, each as a
 * chart with the server's own one-line explanation and the headline figures.
 */
import type { ReactNode } from 'react';
import { read } from '../api.ts';
import { Chart, type ChartSpec } from '../components/chart.tsx';
import { ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, percent } from '../format.ts';
import { Link } from '../router.tsx';

interface Mrr {
  currency: string;
  window: { label: string };
  mrr: number;
  change: number;
  totals: Record<string, number>;
  explanation: string;
  chart: ChartSpec;
}

interface Failures {
  window: { label: string };
  overall: { attempts: number; failed: number; rate: number; changePoints: number };
  regions: { country: string; attempts: number; failed: number; rate: number; changePoints: number }[];
  explanation: string;
  chart: ChartSpec;
}

interface Churn {
  currency: string;
  window: { label: string };
  subscriptions: number;
  lostMrr: number;
  recovery: { recovered: number; lost: number; open: number; rate: number };
  improvement: { percent: number; annual: number };
  explanation: string;
  chart: ChartSpec;
}

interface Overdue {
  totals: { currency: string; customers: number; invoices: number; amount: number; over90: number }[];
  customers: { customerId: string; name: string; currency: string; amount: number; daysOverdue: number }[];
  explanation: string;
  chart: ChartSpec;
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
  const mrr = useLoad(() => read<Mrr>('mrr_movements'), []);
  const failures = useLoad(() => read<Failures>('payment_failure_rates'), []);
  const churn = useLoad(() => read<Churn>('involuntary_churn'), []);
  const overdue = useLoad(() => read<Overdue>('overdue_summary', { limit: 12 }), []);
  return (
    <>
      <PageHeader title="Insights">Revenue and payment health, computed from the billing records.</PageHeader>
      <div className="insights-grid">
        <Panel title="MRR movements" state={mrr}>
          {(data) => (
            <>
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
            </>
          )}
        </Panel>
        <Panel title="Involuntary churn" state={churn}>
          {(data) => (
            <>
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
            </>
          )}
        </Panel>
        <Panel title="Overdue invoices" state={overdue}>
          {(data) => (
            <>
              <div className="figures">
                {data.totals.map((total) => (
                  <Figure
                    key={total.currency}
                    label={`${total.invoices} invoices, ${total.customers} customers`}
                    value={money(total.amount, total.currency)}
                  />
                ))}
              </div>
              {data.customers.length > 0 ? (
                <Chart spec={data.chart} title="Overdue by customer and age" currency={data.customers[0]?.currency} />
              ) : null}
              <ul className="plain-list">
                {data.customers.slice(0, 6).map((customer) => (
                  <li key={customer.customerId}>
                    <Link to={`/customers/${customer.customerId}`}>{customer.name}</Link>:{' '}
                    {money(customer.amount, customer.currency)}, {customer.daysOverdue} days overdue
                  </li>
                ))}
              </ul>
              <p className="explanation">{data.explanation}</p>
            </>
          )}
        </Panel>
      </div>
    </>
  );
}
