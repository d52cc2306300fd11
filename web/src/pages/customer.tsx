/**
 * One customer: contact and card, plan with its limits, subscription timeline, invoices, payments and tickets.
 * The page is one read (view_customer), so one visit is one audit row; paging or sorting a table reads again.
 * Duplicate subscriptions and suspected double charges are flagged where they show; rows offer actions that
 * propose through the pipeline (customer-actions.tsx) and show the proposal card; invoice numbers and payments
 * open their detail (customer-detail.tsx).
 */
import { type ReactNode, useState } from 'react';
import { read } from '../api.ts';
import { DataTable, useTableQuery } from '../components/data-table.tsx';
import { Badge, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, when } from '../format.ts';
import { Link, useRoute } from '../router.tsx';
import { abilities, useMe } from '../session.tsx';
import { ActionPanel, CopyId, type RowAction } from './customer-actions.tsx';
import { InvoiceDetail, PaymentDetail } from './customer-detail.tsx';
import { type Invoice, invoiceColumns, type Payment, type Plan, PlanEntry, paymentColumns } from './customer-rows.tsx';
import type { Customer } from './customers.tsx';

interface Ticket {
  id: string;
  number: string;
  subject?: string;
  status: string;
  createdAt: string;
}

/** What view_customer returns. */
interface CustomerView {
  customer: Customer;
  plan: { plans: Plan[]; summary: string };
  history: { events: { at: string; kind: string; summary: string }[]; summary: string };
  invoices: { invoices: Invoice[]; count: number };
  payments: { payments: Payment[]; count: number };
  tickets: Ticket[];
  duplicateSubscriptions: { productId: string; subscriptionIds: string[] }[];
  doubleCharges: { chargeIds: string[]; amount: number; currency: string; refundable: number }[];
}

const PAGE_SIZE = 25;

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replaceAll(' ', '-')}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** The flags of a page: which subscriptions duplicate another, which charges look doubled (and with which). */
function flagsOf(view: CustomerView) {
  const duplicateOf = new Map<string, string[]>();
  for (const group of view.duplicateSubscriptions)
    for (const id of group.subscriptionIds)
      duplicateOf.set(
        id,
        group.subscriptionIds.filter((other) => other !== id),
      );
  const doubledWith = new Map<string, string>();
  for (const pair of view.doubleCharges) {
    const [first, second] = pair.chargeIds;
    if (first && second) {
      doubledWith.set(first, second);
      doubledWith.set(second, first);
    }
  }
  return { duplicateOf, doubledWith };
}

/** The customer page. */
export function CustomerPage({ id }: { id: string }) {
  const me = useMe();
  const { query } = useRoute();
  const invoicesQuery = useTableQuery('inv_', PAGE_SIZE);
  const paymentsQuery = useTableQuery('pay_', PAGE_SIZE);
  const [action, setAction] = useState<RowAction | null>(null);
  const view = useLoad(
    () =>
      read<CustomerView>('view_customer', {
        customer_id: id,
        page_size: PAGE_SIZE,
        invoice_offset: invoicesQuery.offset,
        payment_offset: paymentsQuery.offset,
        ...(invoicesQuery.sort ? { invoice_sort: invoicesQuery.sort } : {}),
        ...(paymentsQuery.sort ? { payment_sort: paymentsQuery.sort } : {}),
      }),
    [id, invoicesQuery.offset, invoicesQuery.sort, paymentsQuery.offset, paymentsQuery.sort],
  );
  const data = view.data;
  const found = data?.customer;
  const openTicket = data?.tickets.find((ticket) => ticket.status !== 'closed');
  const act = abilities(me).write
    ? (chosen: RowAction) => {
        setAction(
          chosen.changePrice && found
            ? { ...chosen, changePrice: { ...chosen.changePrice, currency: found.currency } }
            : chosen,
        );
        window.setTimeout(() => document.querySelector('[data-testid="row-action"] h2')?.scrollIntoView(), 0);
      }
    : null;
  const flags = data ? flagsOf(data) : { duplicateOf: new Map<string, string[]>(), doubledWith: new Map() };
  const invoiceId = query.get('invoice');
  const paymentId = query.get('payment');
  const payment = paymentId ? data?.payments.payments.find((row) => row.id === paymentId) : undefined;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link> /
      </p>
      <PageHeader title={found?.name ?? 'Customer'}>
        {found ? (
          <span>
            <CopyId id={found.id} /> · {found.email} · {found.country} · billed in {found.currency.toUpperCase()} ·
            balance {money(found.balance, found.currency)}
            {found.paymentMethod
              ? ` · ${found.paymentMethod.brand} •••• ${found.paymentMethod.last4} (exp. ${found.paymentMethod.expMonth}/${found.paymentMethod.expYear})`
              : ' · no card on file'}
          </span>
        ) : null}
      </PageHeader>
      {view.loading && !data ? <Loading /> : <ErrorNote error={view.error} />}
      {data && (data.duplicateSubscriptions.length > 0 || data.doubleCharges.length > 0) ? (
        <p className="note note-warn" role="note" data-testid="customer-flags">
          {data.duplicateSubscriptions.length > 0
            ? `${data.duplicateSubscriptions.length === 1 ? 'A product is' : `${data.duplicateSubscriptions.length} products are`} billed twice (duplicate subscriptions). `
            : ''}
          {data.doubleCharges.map(
            (pair) =>
              `${money(pair.amount, pair.currency)} was charged twice (${pair.chargeIds.join(' and ')}); ${money(pair.refundable, pair.currency)} of the second can be refunded. `,
          )}
        </p>
      ) : null}
      {action ? (
        <ActionPanel
          key={`${action.operation}:${JSON.stringify(action.input)}`}
          action={action}
          caseHint={openTicket?.number ?? ''}
          onClose={() => setAction(null)}
        />
      ) : null}
      {invoiceId ? <InvoiceDetail invoiceId={invoiceId} /> : null}
      {payment ? <PaymentDetail payment={payment} doubledWith={flags.doubledWith.get(payment.id)} /> : null}
      {data ? (
        <>
          <div className="grid-2">
            <Section title="Plan and limits">
              {data.plan.plans.length === 0 ? (
                <p className="muted">{data.plan.summary}</p>
              ) : (
                data.plan.plans.map((entry) => (
                  <PlanEntry
                    key={entry.subscriptionId}
                    entry={entry}
                    duplicates={flags.duplicateOf.get(entry.subscriptionId)}
                    act={act}
                  />
                ))
              )}
            </Section>
            <Section title="Subscription timeline">
              <ol className="timeline">
                {data.history.events.map((event, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a timeline is ordered and read-only.
                  <li key={index}>
                    <time dateTime={event.at}>{when(event.at, true)}</time> <Badge status={event.kind} />{' '}
                    {event.summary}
                  </li>
                ))}
              </ol>
            </Section>
          </div>
          <Section title="Invoices">
            <DataTable
              label="Invoices"
              prefix="inv_"
              rows={data.invoices.invoices}
              count={data.invoices.count}
              columns={invoiceColumns(act)}
              rowKey={(invoice) => invoice.id}
              query={invoicesQuery}
              loading={view.loading}
              empty="No invoices."
            />
          </Section>
          <Section title="Payments">
            <DataTable
              label="Payments"
              prefix="pay_"
              rows={data.payments.payments}
              count={data.payments.count}
              columns={paymentColumns(flags.doubledWith, act)}
              rowKey={(row) => row.id}
              query={paymentsQuery}
              loading={view.loading}
              empty="No payments."
              rowClass={(row) => (flags.doubledWith.has(row.id) ? 'flagged' : undefined)}
            />
          </Section>
          <Section title="Tickets">
            {data.tickets.length === 0 ? (
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
            )}
          </Section>
        </>
      ) : null}
    </>
  );
}
