/**
 * The detail an invoice number or a payment opens on the customer page (`?invoice=in_…`, `?payment=ch_…`, so a
 * link can be shared and Back closes it): an invoice's lines, payments, refunds and credit notes (get_invoice, a
 * read of its own), or a payment's facts from the page's own rows.
 */
import { read } from '../api.ts';
import { Badge, ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { money, when, words } from '../format.ts';
import { Link } from '../router.tsx';
import { CopyId } from './customer-actions.tsx';
import type { Invoice, Payment } from './customer-rows.tsx';

interface InvoiceView {
  invoice: Invoice & {
    subtotal: number;
    tax: number;
    discount: number;
    lines: { id: string; description: string; amount: number; quantity: number; proration: boolean }[];
  };
  charges: { id: string; amount: number; status: string; createdAt: string }[];
  refunds: { id: string; amount: number; createdAt: string }[];
  creditNotes: { id: string; amount: number; createdAt: string }[];
}

/** This page's URL with the detail `key` (invoice or payment) set to `id`, or with no detail open. */
export function detailLink(key: 'invoice' | 'payment' | null, id?: string): string {
  const params = new URLSearchParams(window.location.search);
  params.delete('invoice');
  params.delete('payment');
  if (key && id) params.set(key, id);
  const search = params.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}`;
}

function Close() {
  return (
    <Link to={detailLink(null)} className="small-text">
      Close
    </Link>
  );
}

/** One invoice in full. */
export function InvoiceDetail({ invoiceId }: { invoiceId: string }) {
  const { data, error, loading } = useLoad(
    () => read<InvoiceView>('get_invoice', { invoice_id: invoiceId }),
    [invoiceId],
  );
  if (!data)
    return loading ? (
      <Loading what="Loading the invoice" />
    ) : (
      <section className="card page-proposal" aria-label="Invoice">
        <ErrorNote error={error} />
        <Close />
      </section>
    );
  const { invoice } = data;
  const currency = invoice.currency;
  return (
    <section className="card page-proposal" aria-labelledby="invoice-detail" data-testid="invoice-detail">
      <header className="card-head">
        <h2 id="invoice-detail">
          Invoice {invoice.number} <Badge status={invoice.status} />
        </h2>
        <Close />
      </header>
      <p className="small-text">
        <CopyId id={invoice.id} /> · created {when(invoice.createdAt, true)} · due {when(invoice.dueDate, true)}
      </p>
      <div className="table-scroll">
        <table className="list">
          <caption className="visually-hidden">Lines of {invoice.number}</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col" className="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((line) => (
              <tr key={line.id}>
                <td>
                  {line.description}
                  {line.proration ? <span className="muted"> (proration)</span> : null}
                </td>
                <td className="num">{line.quantity}</td>
                <td className="num">{money(line.amount, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Total <strong>{money(invoice.total, currency)}</strong> · remaining {money(invoice.amountRemaining, currency)}
        {data.charges.length > 0
          ? ` · ${data.charges.length} payment attempt${data.charges.length === 1 ? '' : 's'}`
          : ''}
        {data.refunds.length > 0
          ? ` · refunded ${money(
              data.refunds.reduce((sum, refund) => sum + refund.amount, 0),
              currency,
            )}`
          : ''}
        {data.creditNotes.length > 0
          ? ` · credited ${money(
              data.creditNotes.reduce((sum, note) => sum + note.amount, 0),
              currency,
            )}`
          : ''}
      </p>
    </section>
  );
}

/** One payment's facts. */
export function PaymentDetail({ payment, doubledWith }: { payment: Payment; doubledWith: string | undefined }) {
  return (
    <section className="card page-proposal" aria-labelledby="payment-detail" data-testid="payment-detail">
      <header className="card-head">
        <h2 id="payment-detail">
          Payment of {money(payment.amount, payment.currency)} <Badge status={payment.status} />
        </h2>
        <Close />
      </header>
      <dl className="facts">
        <dt>Charge</dt>
        <dd>
          <CopyId id={payment.id} />
        </dd>
        <dt>Date</dt>
        <dd>{when(payment.createdAt)}</dd>
        <dt>Card</dt>
        <dd>{payment.cardBrand ? words(payment.cardBrand) : '—'}</dd>
        <dt>Invoice</dt>
        <dd>
          {payment.invoiceId && payment.invoiceNumber ? (
            <Link to={detailLink('invoice', payment.invoiceId)}>{payment.invoiceNumber}</Link>
          ) : (
            '—'
          )}
        </dd>
        <dt>Refunded</dt>
        <dd>{payment.amountRefunded ? money(payment.amountRefunded, payment.currency) : 'Nothing'}</dd>
        {payment.failureCode ? (
          <>
            <dt>Failure</dt>
            <dd>{words(payment.failureCode)}</dd>
          </>
        ) : null}
        {doubledWith ? (
          <>
            <dt>Flag</dt>
            <dd>
              Possible double charge with <code>{doubledWith}</code>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
