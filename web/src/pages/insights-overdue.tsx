/**
 * Overdue invoices: the totals per currency, one chart per currency (amounts of different currencies never
 * share an axis), each naming how many of that currency's customers it draws, and the list of who owes what,
 * which says how many more there are and shows them on request. Nothing is cut off without saying so.
 */
import { useState } from 'react';
import { Chart, type ChartSpec } from '../components/chart.tsx';
import { money } from '../format.ts';
import { Link } from '../router.tsx';

/** overdue_summary's answer, as far as this panel reads it. */
export interface Overdue {
  totals: { currency: string; customers: number; invoices: number; amount: number; over90: number }[];
  customers: {
    customerId: string;
    name: string;
    currency: string;
    amount: number;
    daysOverdue: number;
    over30: number;
    over60: number;
    over90: number;
  }[];
  explanation: string;
}

/** How many customers each currency's chart draws (the largest amounts). */
export const CHART_CUSTOMERS = 8;
/** How many customers the list shows before "and N more". */
const LIST_FIRST = 6;
/** How many customers the panel asks the server for (the operation's own maximum). */
export const OVERDUE_LIMIT = 1000;

type Row = Overdue['customers'][number];

/** The aging chart of one currency's largest debtors. */
function agingChart(rows: Row[]): ChartSpec {
  return {
    kind: 'stacked-bar',
    x: rows.map((row) => row.name),
    series: [
      { name: '0-30 days', values: rows.map((row) => row.amount - row.over30) },
      { name: '31-60 days', values: rows.map((row) => row.over30 - row.over60) },
      { name: '61-90 days', values: rows.map((row) => row.over60 - row.over90) },
      { name: '90+ days', values: rows.map((row) => row.over90) },
    ],
    unit: 'minor units',
  };
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

/** The overdue panel's body. */
export function OverdueBody({ data }: { data: Overdue }) {
  const [showAll, setShowAll] = useState(false);
  const owing = data.totals.reduce((sum, total) => sum + total.customers, 0);
  // Grouped by currency (most customers first), largest first within each: amounts in different currencies
  // are not compared with each other.
  const order = data.totals.map((total) => total.currency);
  const rows = [...data.customers].sort((a, b) => order.indexOf(a.currency) - order.indexOf(b.currency));
  const listed = showAll ? rows : rows.slice(0, LIST_FIRST);
  const more = owing - listed.length;
  return (
    <>
      <div className="figures">
        {data.totals.map((total) => (
          <div className="figure" key={total.currency}>
            <span className="figure-value">{money(total.amount, total.currency)}</span>
            <span className="figure-label">
              {plural(total.invoices, 'invoice')}, {plural(total.customers, 'customer')}
            </span>
          </div>
        ))}
      </div>
      {data.totals.map((total) => {
        // Rows come largest first; within one currency that order holds, so these are its largest debtors.
        const rows = data.customers.filter((row) => row.currency === total.currency).slice(0, CHART_CUSTOMERS);
        if (rows.length === 0) return null;
        const code = total.currency.toUpperCase();
        const drawn =
          rows.length < total.customers
            ? `the ${rows.length} largest of ${plural(total.customers, 'customer')}`
            : plural(total.customers, 'customer');
        return (
          <Chart
            key={total.currency}
            spec={agingChart(rows)}
            title={`Overdue in ${code} by age: ${drawn}`}
            currency={total.currency}
          />
        );
      })}
      <ul className="plain-list" aria-label="Customers with overdue invoices">
        {listed.map((customer) => (
          <li key={`${customer.customerId}-${customer.currency}`}>
            <Link to={`/customers/${customer.customerId}`}>{customer.name}</Link>:{' '}
            {money(customer.amount, customer.currency)}, {plural(customer.daysOverdue, 'day')} overdue
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p className="chart-more">
          {showAll ? (
            `and ${plural(more, 'more customer')}, beyond the ${OVERDUE_LIMIT.toLocaleString()} shown here.`
          ) : (
            <button type="button" className="link-button" onClick={() => setShowAll(true)}>
              and {plural(more, 'more customer')}: show them
            </button>
          )}
        </p>
      ) : null}
      <p className="explanation">{data.explanation}</p>
    </>
  );
}
