/**
 * The rows of the customer page: a plan with its flags and actions, and the invoice and payment columns with
 * their links, flags and row actions (which only open an action form: customer-actions.tsx).
 */

import type { TableColumn } from '../components/data-table.tsx';
import { Badge } from '../components/ui.tsx';
import { money, when, words } from '../format.ts';
import { Link } from '../router.tsx';
import { CopyId, type RowAction } from './customer-actions.tsx';
import { detailLink } from './customer-detail.tsx';

/** A plan as explain_plan returns it. */
export interface Plan {
  subscriptionId: string;
  status: string;
  items: { product: string; price: string; priceId?: string; quantity: number; legacy: boolean }[];
  discount: unknown;
  limits: { limit: string; allowed: number | null; used: number | null; share: number | null }[];
  overage: string[];
  renews: string | null;
  endsAt: string | null;
  trialEnd: string | null;
}

/** An invoice row. */
export interface Invoice {
  id: string;
  number: string;
  status: string;
  currency: string;
  total: number;
  amountRemaining: number;
  dueDate: string | null;
  createdAt: string;
}

/** A payment row. */
export interface Payment {
  id: string;
  amount: number;
  currency: string;
  status: string;
  failureCode: string | null;
  amountRefunded: number;
  cardBrand: string | null;
  createdAt: string;
  invoiceId: string | null;
  invoiceNumber: string | null;
}

/** One plan: its items, limits, renewal, the duplicate flag, and Cancel and Change plan. */
export function PlanEntry({
  entry,
  duplicates,
  act,
}: {
  entry: Plan;
  duplicates: string[] | undefined;
  act: ((action: RowAction) => void) | null;
}) {
  return (
    <div className={`plan${duplicates ? ' flagged' : ''}`} data-subscription={entry.subscriptionId}>
      <p>
        <strong>{entry.items.map((item) => `${item.product} (${item.price})`).join(', ')}</strong>{' '}
        <Badge status={entry.status} />
        {entry.items.some((item) => item.legacy) ? <span className="badge badge-warn">legacy</span> : null}
        {duplicates ? (
          <span className="badge badge-bad flag" data-testid="duplicate-flag">
            Duplicate subscription
          </span>
        ) : null}
      </p>
      <p className="small-text">
        <CopyId id={entry.subscriptionId} />
      </p>
      {duplicates ? (
        <p className="note note-warn small-text">
          Billed twice for this product: also <code>{duplicates.join(', ')}</code>. Cancel the one to drop.
        </p>
      ) : null}
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
      {act && !entry.endsAt ? (
        <div className="row-actions">
          <button
            type="button"
            className="small"
            onClick={() =>
              act({
                title: `Cancel ${entry.subscriptionId}`,
                operation: 'cancel_subscription',
                input: { subscription_id: entry.subscriptionId },
                cancel: true,
              })
            }
          >
            Cancel…
          </button>
          <button
            type="button"
            className="small"
            onClick={() =>
              act({
                title: `Change the plan of ${entry.subscriptionId}`,
                operation: 'change_plan',
                input: { subscription_id: entry.subscriptionId },
                changePrice: {
                  currency: '',
                  current: entry.items.flatMap((item) => (item.priceId ? [item.priceId] : [])),
                },
              })
            }
          >
            Change plan…
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** The invoice table's columns; `act` null: no actions (a read-only member). */
export function invoiceColumns(act: ((action: RowAction) => void) | null): TableColumn<Invoice>[] {
  return [
    {
      id: 'number',
      header: 'Number',
      sort: 'number',
      rowHeader: true,
      cell: (invoice) => <Link to={detailLink('invoice', invoice.id)}>{invoice.number}</Link>,
    },
    { id: 'status', header: 'Status', sort: 'status', cell: (invoice) => <Badge status={invoice.status} /> },
    {
      id: 'total',
      header: 'Total',
      sort: 'total',
      numeric: true,
      descFirst: true,
      cell: (invoice) => money(invoice.total, invoice.currency),
    },
    {
      id: 'remaining',
      header: 'Remaining',
      sort: 'remaining',
      numeric: true,
      descFirst: true,
      cell: (invoice) => money(invoice.amountRemaining, invoice.currency),
    },
    { id: 'due', header: 'Due', sort: 'due', descFirst: true, cell: (invoice) => when(invoice.dueDate, true) },
    ...(act
      ? [
          {
            id: 'actions',
            header: 'Actions',
            cell: (invoice: Invoice) => (
              <div className="row-actions">
                {invoice.status === 'open' ? (
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      act({
                        title: `Retry ${invoice.number}`,
                        operation: 'retry_invoice',
                        input: { invoice_id: invoice.id },
                      })
                    }
                  >
                    Retry
                  </button>
                ) : null}
                {invoice.status === 'open' || invoice.status === 'paid' ? (
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      act({
                        title: `Credit ${invoice.number}`,
                        operation: 'create_credit_note',
                        input: { invoice_id: invoice.id },
                        amount: { currency: invoice.currency, max: invoice.total },
                      })
                    }
                  >
                    Credit…
                  </button>
                ) : null}
              </div>
            ),
          },
        ]
      : []),
  ];
}

/** The payment table's columns, the double-charge flag on the charges it names. */
export function paymentColumns(
  doubledWith: Map<string, string>,
  act: ((action: RowAction) => void) | null,
): TableColumn<Payment>[] {
  return [
    {
      id: 'created',
      header: 'Date',
      sort: 'created',
      descFirst: true,
      cell: (payment) => <Link to={detailLink('payment', payment.id)}>{when(payment.createdAt)}</Link>,
    },
    { id: 'charge', header: 'Charge', cell: (payment) => <CopyId id={payment.id} /> },
    {
      id: 'invoice',
      header: 'Invoice',
      cell: (payment) =>
        payment.invoiceId && payment.invoiceNumber ? (
          <Link to={detailLink('invoice', payment.invoiceId)}>{payment.invoiceNumber}</Link>
        ) : (
          '—'
        ),
    },
    {
      id: 'status',
      header: 'Status',
      sort: 'status',
      cell: (payment) => (
        <>
          <Badge status={payment.status} />
          {payment.failureCode ? <span className="muted"> {words(payment.failureCode)}</span> : null}
          {doubledWith.has(payment.id) ? (
            <span className="badge badge-bad flag-line" data-testid="double-charge-flag">
              Possible double charge
            </span>
          ) : null}
        </>
      ),
    },
    {
      id: 'amount',
      header: 'Amount',
      sort: 'amount',
      numeric: true,
      descFirst: true,
      cell: (payment) => money(payment.amount, payment.currency),
    },
    {
      id: 'refunded',
      header: 'Refunded',
      sort: 'refunded',
      numeric: true,
      descFirst: true,
      cell: (payment) => (payment.amountRefunded ? money(payment.amountRefunded, payment.currency) : '—'),
    },
    ...(act
      ? [
          {
            id: 'actions',
            header: 'Actions',
            cell: (payment: Payment) =>
              payment.status === 'succeeded' && payment.amountRefunded < payment.amount ? (
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    act({
                      title: `Refund ${payment.id}`,
                      operation: 'refund_charge',
                      input: { charge_id: payment.id },
                      amount: {
                        currency: payment.currency,
                        max: payment.amount - payment.amountRefunded,
                        optional: true,
                      },
                    })
                  }
                >
                  Refund…
                </button>
              ) : null,
          },
        ]
      : []),
  ];
}
