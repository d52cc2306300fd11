/**
 * One customer: contact and card, plan with its limits, subscription timeline, invoices, payments and tickets.
 * Each section is its own read operation (each audited), so one failing section does not hide the others.
 */
import type { ReactNode } from 'react';
import { read } from '../api.ts';
import { Badge, DataTable, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, when, words } from '../format.ts';
import { Link } from '../router.tsx';
import type { Customer } from './customers.tsx';

interface Plan {
  subscriptionId: string;
  status: string;
  items: { product: string; price: string; quantity: number; legacy: boolean }[];
  discount: unknown;
  limits: { limit: string; allowed: number | null; used: number | null; share: number | null }[];
  overage: string[];
  renews: string | null;
  endsAt: string | null;
  trialEnd: string | null;
}

interface Invoice {
  id: string;
  number: string;
  status: string;
  currency: string;
  total: number;
  amountRemaining: number;
  dueDate: string | null;
  createdAt: string;
}

interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: string;
  failureCode: string | null;
  amountRefunded: number;
  cardBrand: string | null;
  createdAt: string;
  invoiceNumber: string | null;
}

interface Ticket {
  id: string;
  number: string;
  subject?: string;
  status: string;
  createdAt: string;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replaceAll(' ', '-')}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Loaded<T>({
  state,
  children,
}: {
  state: { data: T | null; error: unknown; loading: boolean };
  children: (data: T) => ReactNode;
}) {
  if (state.data) return <>{children(state.data)}</>;
  return state.loading ? <Loading /> : <ErrorNote error={state.error} />;
}

/** The customer page. */
export function CustomerPage({ id }: { id: string }) {
  const customer = useLoad(() => read<{ customer: Customer }>('get_customer', { customer_id: id }), [id]);
  const plan = useLoad(() => read<{ plans: Plan[]; summary: string }>('explain_plan', { customer: id }), [id]);
  const history = useLoad(
    () =>
      read<{ events: { at: string; kind: string; summary: string }[]; summary: string }>('subscription_history', {
        customer: id,
        limit: 100,
      }),
    [id],
  );
  const invoices = useLoad(() => read<{ invoices: Invoice[] }>('list_invoices', { customer: id, limit: 24 }), [id]);
  const payments = useLoad(() => read<{ payments: Payment[] }>('payment_history', { customer: id, limit: 24 }), [id]);
  const tickets = useLoad(() => read<{ tickets: Ticket[] }>('list_tickets', { customer: id, limit: 20 }), [id]);
  const found = customer.data?.customer;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link> /
      </p>
      <PageHeader title={found?.name ?? 'Customer'}>
        {found ? (
          <span>
            {found.email} · {found.country} · billed in {found.currency.toUpperCase()} · balance{' '}
            {money(found.balance, found.currency)}
            {found.paymentMethod
              ? ` · ${found.paymentMethod.brand} •••• ${found.paymentMethod.last4} (exp. ${found.paymentMethod.expMonth}/${found.paymentMethod.expYear})`
              : ' · no card on file'}
          </span>
        ) : null}
      </PageHeader>
      {customer.loading && !found ? <Loading /> : <ErrorNote error={customer.error} />}
      <div className="grid-2">
        <Section title="Plan and limits">
          <Loaded state={plan}>
            {(data) =>
              data.plans.length === 0 ? (
                <p className="muted">{data.summary}</p>
              ) : (
                data.plans.map((entry) => (
                  <div key={entry.subscriptionId} className="plan">
                    <p>
                      <strong>{entry.items.map((item) => `${item.product} (${item.price})`).join(', ')}</strong>{' '}
                      <Badge status={entry.status} />
                      {entry.items.some((item) => item.legacy) ? (
                        <span className="badge badge-warn">legacy</span>
                      ) : null}
                    </p>
                    <p className="muted">
                      {entry.endsAt ? `Ends ${when(entry.endsAt, true)}` : `Renews ${when(entry.renews, true)}`}
                      {entry.trialEnd ? ` · trial until ${when(entry.trialEnd, true)}` : ''}
                    </p>
                    <ul className="limits">
                      {entry.limits.map((limit) => (
                        <li key={limit.limit}>
                          <span>{words(limit.limit)}</span>
                          <span className="num">
                            {limit.used !== null ? `${limit.used.toLocaleString()} of ` : ''}
                            {limit.allowed === null ? 'unlimited' : limit.allowed.toLocaleString()}
                          </span>
                          {limit.share !== null ? (
                            <meter
                              min={0}
                              max={1}
                              low={0.8}
                              high={0.95}
                              optimum={0}
                              value={Math.min(1, limit.share)}
                              aria-label={`${words(limit.limit)} used`}
                            />
                          ) : null}
                        </li>
                      ))}
                    </ul>
                    {entry.overage.map((line) => (
                      <p key={line} className="muted small-text">
                        {line}
                      </p>
                    ))}
                  </div>
                ))
              )
            }
          </Loaded>
        </Section>
        <Section title="Subscription timeline">
          <Loaded state={history}>
            {(data) => (
              <ol className="timeline">
                {data.events.map((event, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a timeline is ordered and read-only.
                  <li key={index}>
                    <time dateTime={event.at}>{when(event.at, true)}</time> <Badge status={event.kind} />{' '}
                    {event.summary}
                  </li>
                ))}
              </ol>
            )}
          </Loaded>
        </Section>
      </div>
      <Section title="Invoices">
        <Loaded state={invoices}>
          {(data) => (
            <DataTable
              rows={data.invoices}
              rowKey={(invoice) => invoice.id}
              empty="No invoices."
              columns={[
                { header: 'Number', rowHeader: true, cell: (invoice) => invoice.number },
                { header: 'Status', cell: (invoice) => <Badge status={invoice.status} /> },
                { header: 'Total', numeric: true, cell: (invoice) => money(invoice.total, invoice.currency) },
                {
                  header: 'Remaining',
                  numeric: true,
                  cell: (invoice) => money(invoice.amountRemaining, invoice.currency),
                },
                { header: 'Due', cell: (invoice) => when(invoice.dueDate, true) },
              ]}
            />
          )}
        </Loaded>
      </Section>
      <Section title="Payments">
        <Loaded state={payments}>
          {(data) => (
            <DataTable
              rows={data.payments}
              rowKey={(payment) => payment.id}
              empty="No payments."
              columns={[
                { header: 'Date', cell: (payment) => when(payment.createdAt) },
                { header: 'Charge', cell: (payment) => <code>{payment.id}</code> },
                { header: 'Invoice', cell: (payment) => payment.invoiceNumber ?? '—' },
                {
                  header: 'Status',
                  cell: (payment) => (
                    <>
                      <Badge status={payment.status} />
                      {payment.failureCode ? <span className="muted"> {words(payment.failureCode)}</span> : null}
                    </>
                  ),
                },
                { header: 'Amount', numeric: true, cell: (payment) => money(payment.amount, payment.currency) },
                {
                  header: 'Refunded',
                  numeric: true,
                  cell: (payment) => (payment.amountRefunded ? money(payment.amountRefunded, payment.currency) : '—'),
                },
              ]}
            />
          )}
        </Loaded>
      </Section>
      <Section title="Tickets">
        <Loaded state={tickets}>
          {(data) =>
            data.tickets.length === 0 ? (
              <p className="muted">No tickets.</p>
            ) : (
              <ul className="plain-list">
                {data.tickets.map((ticket) => (
                  <li key={ticket.id}>
                    <strong>{ticket.number}</strong> <Badge status={ticket.status} /> {ticket.subject ?? ''}{' '}
                    <span className="muted">{when(ticket.createdAt, true)}</span>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Section>
    </>
  );
}
