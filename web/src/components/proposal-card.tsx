/**
 * A proposal as the server derived it: what changes (amounts, targets, diff), whether it can be undone, the
 * policy's reasons, and what happens next — Confirm for your own PASS, or the approval request's state while a
 * second member decides (refreshed until it settles). The preview is the server's, never a model's words.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { money, relative, whenExactly, words } from '../format.ts';
import { Link } from '../router.tsx';
import { abilities, useMe } from '../session.tsx';
import { Badge, ErrorNote, Loading, useLoad } from './ui.tsx';

/** The preview every write carries. */
export interface Preview {
  summary: string;
  changes: { field: string; from: unknown; to: unknown }[];
  money: { amount: number; currency: string } | null;
  customers: { id: string; name: string }[];
  targets: string[];
  reversible: boolean;
}

/** A preview's money with what it is ("Monthly revenue given away (USD)"), as the server words it. */
export interface MoneyLine {
  label: string;
  amount: number;
  currency: string;
}

/** A proposal as `GET /api/proposals/{id}` returns it. */
interface ProposalView {
  id: string;
  operation: string;
  status: string;
  preview: Preview;
  moneyLine?: MoneyLine | null;
  decision: {
    outcome: string;
    reasons: { message: string }[];
    remediation?: string;
    needsConfirmText: boolean;
  };
  approval: { id: string; status: string; expiresAt: string; groups: string[]; roles: string[] } | null;
  next: string;
}

const SETTLED = new Set(['succeeded', 'failed', 'rejected', 'expired', 'blocked', 'cancelled']);

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The preview: money (labelled with what it is: the server's `moneyLine`, e.g. "Refunded to the customer (USD)"),
 * customers, targets, the diff, reversible or not.
 */
export function PreviewDetails({ preview, moneyLine }: { preview: Preview; moneyLine?: MoneyLine | null | undefined }) {
  const shown =
    moneyLine ??
    (preview.money ? { label: `Amount (${preview.money.currency.toUpperCase()})`, ...preview.money } : null);
  return (
    <dl className="facts">
      {shown ? (
        <>
          <dt>{shown.label}</dt>
          <dd className="amount" data-testid="preview-money">
            {money(shown.amount, shown.currency)}
          </dd>
        </>
      ) : null}
      {preview.customers.length > 0 ? (
        <>
          <dt>Customer</dt>
          <dd>
            {preview.customers.map((customer, index) => (
              <span key={customer.id}>
                {index > 0 ? ', ' : ''}
                <Link to={`/customers/${customer.id}`}>{customer.name}</Link>
              </span>
            ))}
          </dd>
        </>
      ) : null}
      {preview.targets.length > 0 ? (
        <>
          <dt>Targets</dt>
          <dd>
            <code>{preview.targets.slice(0, 5).join(', ')}</code>
            {preview.targets.length > 5 ? ` and ${preview.targets.length - 5} more` : ''}
          </dd>
        </>
      ) : null}
      <dt>Can be undone</dt>
      <dd>{preview.reversible ? 'Yes' : <strong>No — this cannot be reversed</strong>}</dd>
      {preview.changes.length > 0 ? (
        <>
          <dt className="wide">Changes</dt>
          <dd className="wide">
            <div className="table-scroll">
              <table className="diff">
                <thead>
                  <tr>
                    <th scope="col">What</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.changes.map((change) => (
                    <tr key={change.field}>
                      <th scope="row">{change.field}</th>
                      <td className="before">{show(change.from)}</td>
                      <td className="after">{show(change.to)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * A proposal card that loads the proposal and keeps its state fresh until it settles. In a conversation it
 * carries its number ("confirm 2") and, when the agent proposed it after reading customer-supplied text, says so:
 * its Confirm button (which confirms this proposal by its id) is the way to go ahead, never a typed "yes".
 */
export function ProposalCard({
  id,
  number,
  untrusted,
  onSettled,
}: {
  id: string;
  number?: number;
  untrusted?: string[];
  /** Called once the proposal settles (executed, rejected, …), e.g. to show the page's new state. */
  onSettled?: (status: string) => void;
}) {
  const me = useMe();
  const { data, error, loading, reload } = useLoad(() => api<ProposalView>('GET', `/api/proposals/${id}`), [id]);
  const [confirmText, setConfirmText] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const status = data?.status;

  useEffect(() => {
    if (!status || SETTLED.has(status)) return;
    // A second member may decide at any moment: look again every few seconds while it waits.
    const timer = window.setInterval(() => void reload(), 4_000);
    return () => window.clearInterval(timer);
  }, [status, reload]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: called when the status settles, not when the callback changes.
  useEffect(() => {
    if (status && SETTLED.has(status)) onSettled?.(status);
  }, [status]);

  if (!data) return loading ? <Loading what="Loading the proposal" /> : <ErrorNote error={error} />;
  const needsText = data.decision.needsConfirmText;
  const confirm = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await api('POST', `/api/proposals/${id}/confirm`, needsText ? { confirm_text: confirmText } : {});
      await reload();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
    }
  };
  const label = `proposal-${data.id}`;
  return (
    <section className={`card proposal proposal-${data.status}`} aria-labelledby={label} data-proposal={data.id}>
      <header className="card-head">
        <h3 id={label}>
          {number ? `${number}. ` : ''}
          {data.preview.summary}
        </h3>
        <Badge status={data.status} />
      </header>
      {untrusted ? (
        <p className="untrusted" role="note" data-testid="untrusted-context">
          <strong>Proposed after reading customer-supplied text</strong>
          {untrusted.length > 0 ? ` (${untrusted.join(', ')})` : ''}. Check every value below before you confirm; a
          typed “yes” does not confirm it.
        </p>
      ) : null}
      <PreviewDetails preview={data.preview} moneyLine={data.moneyLine} />
      <p className="decision">
        Policy: <Badge status={data.decision.outcome}>{data.decision.outcome.toUpperCase()}</Badge>{' '}
        {data.decision.reasons.map((reason) => reason.message).join('; ')}
      </p>
      {data.status === 'awaiting_approval' && data.approval ? (
        <p className="next" data-testid="approval-state">
          Needs approval by <strong>{[...data.approval.groups, ...data.approval.roles].map(words).join(' or ')}</strong>
          . Request {data.approval.id} is {data.approval.status}; it expires{' '}
          <span data-testid="approval-expiry">
            {relative(data.approval.expiresAt)}, {whenExactly(data.approval.expiresAt)}
          </span>
          .
        </p>
      ) : data.status === 'succeeded' ? (
        <p className="next success" role="status">
          Executed{data.approval ? ` after approval (${data.approval.id})` : ''}.
        </p>
      ) : (
        <p className="next">{data.next}</p>
      )}
      {data.status === 'awaiting_confirmation' && abilities(me).write ? (
        <div className="actions">
          {needsText ? (
            <label className="field-inline">
              Type CONFIRM (it cannot be undone)
              <input value={confirmText} onChange={(event) => setConfirmText(event.target.value)} autoComplete="off" />
            </label>
          ) : null}
          <button
            type="button"
            className="primary"
            disabled={busy || (needsText && confirmText !== 'CONFIRM')}
            onClick={confirm}
          >
            {busy ? 'Confirming…' : 'Confirm'}
          </button>
        </div>
      ) : null}
      <ErrorNote error={actionError ?? error} />
    </section>
  );
}
