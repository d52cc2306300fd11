/**
 * The approvals inbox: requests routed to my groups (or role) with the server's preview, requester, reason,
 * linked case and expiry; approve or reject with a reason. A requester sees their own requests and their state,
 * never an approve button for them. The server re-checks every decision (two-person rule, routing, caps).
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { type Preview, PreviewDetails } from '../components/proposal-card.tsx';
import { Badge, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, relative, whenExactly } from '../format.ts';
import { Link } from '../router.tsx';
import { abilities, type Me, routedToMe, useMe } from '../session.tsx';

interface ApprovalRequest {
  id: string;
  status: string;
  proposalId: string;
  operation: string;
  summary: string;
  money: { amount: number; currency: string } | null;
  /** What the money is ("Refunded to the customer (USD)"). */
  moneyLabel?: string | null;
  preview: Preview;
  requester: string;
  reason: string | null;
  caseId: string | null;
  approvers: string;
  groups: string[];
  roles: string[];
  expiresAt: string;
  createdAt: string;
  decidedBy: string | null;
  decisionReason: string | null;
  /** Another company's agent asking through the gate service: everything here is as the agent sent it. */
  external?: ExternalRequest;
}

interface ExternalRequest {
  agent: string;
  decisionId: string;
  actionKind: string;
  actionType: string;
  payload: Record<string, unknown>;
  userInput: string | null;
  reasons: { policyId: string; message: string }[];
}

/** An external agent's request, shown as data: text is rendered as text, never followed as an instruction. */
function ExternalDetails({ external }: { external: ExternalRequest }) {
  return (
    <section className="external-request" data-testid="external-request">
      <p className="untrusted" role="note">
        Asked by the external agent <strong>{external.agent}</strong> through the gate. The payload and the user's words
        below are the agent's own, untrusted: check them against your records; they are not instructions to you.
      </p>
      <dl className="facts">
        <dt>Action</dt>
        <dd>
          <code>
            {external.actionKind} / {external.actionType}
          </code>{' '}
          (decision <code>{external.decisionId}</code>)
        </dd>
        <dt>Policy</dt>
        <dd>{external.reasons.map((reason) => reason.message).join('; ') || '—'}</dd>
        <dt>User input</dt>
        <dd>
          <blockquote className="quoted">{external.userInput ?? '—'}</blockquote>
        </dd>
      </dl>
      <details>
        <summary>Payload the agent will execute</summary>
        <pre>{JSON.stringify(external.payload, null, 2)}</pre>
      </details>
    </section>
  );
}

type View = 'mine-to-decide' | 'my-requests' | 'all';

function CaseLink({ caseId, mine }: { caseId: string; mine: boolean }) {
  if (caseId.startsWith('conv_'))
    return mine ? <Link to={`/chat/${caseId}`}>conversation {caseId}</Link> : <span>conversation {caseId}</span>;
  return <span>ticket {caseId}</span>;
}

function Decide({ request, onDone }: { request: ApprovalRequest; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [confirmText, setConfirmText] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const irreversible = !request.preview.reversible;
  const decide = async (verdict: 'approve' | 'reject') => {
    setBusy(verdict);
    setError(null);
    try {
      const body = verdict === 'approve' && irreversible ? { reason, confirm_text: confirmText } : { reason };
      await api('POST', `/api/approvals/${request.id}/${verdict}`, body);
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  const reasonOk = reason.trim().length >= 3;
  return (
    <div className="decide">
      <label className="field">
        Your reason (the requester sees it; at least 3 characters)
        <textarea value={reason} onChange={(event) => setReason(event.target.value)} rows={2} maxLength={500} />
      </label>
      {irreversible ? (
        <label className="field">
          Type CONFIRM to approve: this cannot be undone
          <input value={confirmText} onChange={(event) => setConfirmText(event.target.value)} autoComplete="off" />
        </label>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={busy !== null || !reasonOk || (irreversible && confirmText !== 'CONFIRM')}
          onClick={() => decide('approve')}
        >
          {busy === 'approve'
            ? 'Approving…'
            : request.external
              ? 'Approve (the agent executes it)'
              : 'Approve and execute'}
        </button>
        <button type="button" className="danger" disabled={busy !== null || !reasonOk} onClick={() => decide('reject')}>
          {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

function RequestCard({ request, me, onDone }: { request: ApprovalRequest; me: Me; onDone: () => void }) {
  const mine = request.requester === me.member.email;
  const canDecide = request.status === 'pending' && routedToMe(me, request) && abilities(me).write;
  return (
    <li className="card approval" data-approval={request.id}>
      <header className="card-head">
        <h2>{request.summary}</h2>
        <Badge status={request.status} />
      </header>
      <dl className="facts">
        <dt>Requested by</dt>
        <dd>
          {mine ? 'you' : request.requester} · {relative(request.createdAt)}
        </dd>
        {request.money ? (
          <>
            <dt>{request.moneyLabel ?? 'Amount'}</dt>
            <dd className="amount">{money(request.money.amount, request.money.currency)}</dd>
          </>
        ) : null}
        <dt>Reason</dt>
        <dd>{request.reason ?? '—'}</dd>
        {request.caseId ? (
          <>
            <dt>Linked case</dt>
            <dd>
              <CaseLink caseId={request.caseId} mine={mine} />
            </dd>
          </>
        ) : null}
        <dt>Approvers</dt>
        <dd>{request.approvers}</dd>
        <dt>{request.status === 'pending' ? 'Expires' : 'Expiry'}</dt>
        <dd>
          {relative(request.expiresAt)}, <span data-testid="approval-expiry">{whenExactly(request.expiresAt)}</span>
        </dd>
        {request.decidedBy ? (
          <>
            <dt>Decided by</dt>
            <dd>
              {request.decidedBy}
              {request.decisionReason ? `: “${request.decisionReason}”` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {request.external ? (
        <ExternalDetails external={request.external} />
      ) : (
        <details>
          <summary>Preview as the server derived it</summary>
          <PreviewDetails
            preview={request.preview}
            moneyLine={
              request.moneyLabel && request.preview.money
                ? {
                    ...request.preview.money,
                    label: request.moneyLabel,
                    amount: Math.abs(request.preview.money.amount),
                  }
                : null
            }
          />
        </details>
      )}
      {canDecide ? <Decide request={request} onDone={onDone} /> : null}
      {mine && request.status === 'pending' ? (
        <p className="muted">You asked for this; another member ({request.approvers}) must approve it.</p>
      ) : null}
    </li>
  );
}

/** The approvals inbox. */
export function ApprovalsPage() {
  const me = useMe();
  const [view, setView] = useState<View>(abilities(me).approve ? 'mine-to-decide' : 'my-requests');
  const status = view === 'my-requests' ? 'all' : 'pending';
  const { data, error, loading, reload } = useLoad(
    () => api<{ requests: ApprovalRequest[] }>('GET', `/api/approvals?status=${status}&limit=200`),
    [status],
  );
  const requests = (data?.requests ?? []).filter((request) =>
    view === 'mine-to-decide'
      ? routedToMe(me, request)
      : view === 'my-requests'
        ? request.requester === me.member.email
        : true,
  );
  const tabs: [View, string][] = [
    ['mine-to-decide', 'Waiting for me'],
    ['my-requests', 'My requests'],
    ['all', 'All pending'],
  ];
  return (
    <>
      <PageHeader title="Approvals">
        Money movement and other sensitive changes wait here for a second member. Approving executes the exact action
        once, on current facts.
      </PageHeader>
      <fieldset className="segmented">
        <legend className="visually-hidden">Which requests</legend>
        {tabs.map(([value, label]) => (
          <button key={value} type="button" aria-pressed={view === value} onClick={() => setView(value)}>
            {label}
          </button>
        ))}
        <button type="button" className="small" onClick={() => void reload()}>
          Refresh
        </button>
      </fieldset>
      {loading && !data ? <Loading /> : null}
      <ErrorNote error={error} />
      {data && requests.length === 0 ? (
        <p className="empty">{view === 'mine-to-decide' ? 'Nothing is waiting for you.' : 'No requests here.'}</p>
      ) : null}
      <ul className="cards">
        {requests.map((request) => (
          <RequestCard key={request.id} request={request} me={me} onDone={() => void reload()} />
        ))}
      </ul>
    </>
  );
}
