/**
 * The audit log: filter by customer, member, kind, outcome and date; each entry's detail (arguments, decision,
 * result, hashes); the chain's verify status; export as JSON lines or CSV (the export is itself recorded).
 */
import { type FormEvent, useState } from 'react';
import { api, download } from '../api.ts';
import { Badge, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { when, words } from '../format.ts';
import { Link } from '../router.tsx';

interface AuditEvent {
  id: string;
  seq: number;
  at: string;
  event: string;
  actorEmail: string | null;
  actorRole: string | null;
  channel: string;
  operation: string | null;
  customerId: string | null;
  proposalId: string | null;
  arguments: unknown;
  decision: { outcome?: string; reasons?: { message: string }[] } | null;
  result: unknown;
  userInput: string | null;
  prevHash: string;
  hash: string;
}

const KINDS = [
  'proposal.created',
  'decision.made',
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  'approval.expired',
  'execution.succeeded',
  'execution.failed',
  'data.read',
  'data.exported',
  'reply.drafted',
  'reply.sent',
  'ticket.created',
  'member.added',
  'member.role_changed',
  'integration.connected',
  'integration.disconnected',
  'auth.login',
  'auth.key_created',
  'auth.key_revoked',
  'agent.call_refused',
  'channel.stopped',
  'channel.resumed',
];

interface Filters {
  customer: string;
  member: string;
  event: string;
  outcome: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { customer: '', member: '', event: '', outcome: '', from: '', to: '' };

function queryOf(filters: Filters, beforeSeq?: number): string {
  const query = new URLSearchParams({ limit: '50' });
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  // "to" is a whole day: up to its end.
  if (filters.to) query.set('to', `${filters.to}T23:59:59.999Z`);
  if (beforeSeq) query.set('before_seq', String(beforeSeq));
  return query.toString();
}

function Verify() {
  const { data, error, loading, reload } = useLoad(
    () =>
      api<{ ok: boolean; rows: number; first_bad_row: { seq: number; reason: string } | null }>(
        'GET',
        '/api/audit/verify',
      ),
    [],
  );
  return (
    <section className="card verify" aria-labelledby="verify-title">
      <h2 id="verify-title">Chain</h2>
      {loading && !data ? <Loading what="Verifying the chain" /> : null}
      {data ? (
        <p data-testid="chain-status" className={data.ok ? 'success' : 'failure'} role="status">
          {data.ok
            ? `Chain verified: all ${data.rows} entries link and hash correctly.`
            : `Chain broken at entry ${data.first_bad_row?.seq}: ${data.first_bad_row?.reason}.`}
        </p>
      ) : null}
      <ErrorNote error={error} />
      <button type="button" className="small" onClick={() => void reload()}>
        Verify again
      </button>
    </section>
  );
}

/** The audit page. */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [older, setOlder] = useState<AuditEvent[]>([]);
  const [exportError, setExportError] = useState<unknown>(null);
  const members = useLoad(() => api<{ members: { id: string; email: string }[] }>('GET', '/api/members'), []);
  const { data, error, loading } = useLoad(
    () => api<{ events: AuditEvent[] }>('GET', `/api/audit?${queryOf(filters)}`),
    [filters],
  );
  const events = [...(data?.events ?? []), ...older];
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setOlder([]);
    setFilters(draft);
  };
  const loadOlder = async () => {
    const last = events.at(-1);
    if (!last) return;
    const page = await api<{ events: AuditEvent[] }>('GET', `/api/audit?${queryOf(filters, last.seq)}`);
    setOlder((previous) => [...previous, ...page.events]);
  };
  const exportAs = async (format: 'jsonl' | 'csv') => {
    setExportError(null);
    try {
      await download(`/api/audit/export?format=${format}`, `leash-audit.${format}`);
    } catch (caught) {
      setExportError(caught);
    }
  };
  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [key]: event.target.value }));

  return (
    <>
      <PageHeader title="Audit log">
        Every proposal, decision, approval, execution and read, hash-chained and append-only.
      </PageHeader>
      <div className="grid-2">
        <Verify />
        <section className="card" aria-labelledby="export-title">
          <h2 id="export-title">Export</h2>
          <p className="muted">The whole log; the export itself is recorded.</p>
          <div className="actions">
            <button type="button" className="small" onClick={() => void exportAs('jsonl')}>
              Export JSON lines
            </button>
            <button type="button" className="small" onClick={() => void exportAs('csv')}>
              Export CSV
            </button>
          </div>
          <ErrorNote error={exportError} />
        </section>
      </div>
      <form className="filters card" onSubmit={apply} aria-label="Filter the log">
        <label className="field">
          Customer id
          <input value={draft.customer} onChange={set('customer')} placeholder="cus_…" />
        </label>
        <label className="field">
          Member
          <select value={draft.member} onChange={set('member')}>
            <option value="">Anyone</option>
            {members.data?.members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.email}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Kind
          <select value={draft.event} onChange={set('event')}>
            <option value="">Any kind</option>
            {KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Outcome
          <select value={draft.outcome} onChange={set('outcome')}>
            <option value="">Any outcome</option>
            <option value="pass">pass</option>
            <option value="warn">warn</option>
            <option value="block">block</option>
          </select>
        </label>
        <label className="field">
          From
          <input type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label className="field">
          To
          <input type="date" value={draft.to} onChange={set('to')} />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              setOlder([]);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {loading && !data ? <Loading /> : null}
      <ErrorNote error={error} />
      {data && events.length === 0 ? <p className="empty">No entries match.</p> : null}
      <ol className="audit-list" aria-label="Audit entries, newest first">
        {events.map((event) => (
          <li key={event.id}>
            <details>
              <summary>
                <span className="seq">#{event.seq}</span>
                <span className="audit-event">{event.event}</span>
                {event.decision?.outcome ? <Badge status={event.decision.outcome} /> : null}
                <span className="muted">
                  {event.operation ? words(event.operation) : ''} · {event.actorEmail ?? 'system'} · {when(event.at)}
                </span>
              </summary>
              <dl className="facts">
                <dt>Actor</dt>
                <dd>
                  {event.actorEmail ?? 'system'} {event.actorRole ? `(${words(event.actorRole)})` : ''} via{' '}
                  {event.channel}
                </dd>
                {event.customerId ? (
                  <>
                    <dt>Customer</dt>
                    <dd>
                      <Link to={`/customers/${event.customerId}`}>{event.customerId}</Link>
                    </dd>
                  </>
                ) : null}
                {event.proposalId ? (
                  <>
                    <dt>Proposal</dt>
                    <dd>
                      <code>{event.proposalId}</code>
                    </dd>
                  </>
                ) : null}
                {event.userInput ? (
                  <>
                    <dt>Asked</dt>
                    <dd>“{event.userInput}”</dd>
                  </>
                ) : null}
                {event.decision?.reasons?.length ? (
                  <>
                    <dt>Reasons</dt>
                    <dd>{event.decision.reasons.map((reason) => reason.message).join('; ')}</dd>
                  </>
                ) : null}
                <dt>Arguments</dt>
                <dd>
                  <pre>{JSON.stringify(event.arguments, null, 2)}</pre>
                </dd>
                {event.result ? (
                  <>
                    <dt>Result</dt>
                    <dd>
                      <pre>{JSON.stringify(event.result, null, 2)}</pre>
                    </dd>
                  </>
                ) : null}
                <dt>Hash</dt>
                <dd>
                  <code className="hash">{event.hash}</code>
                  <br />
                  <span className="muted">after</span> <code className="hash">{event.prevHash}</code>
                </dd>
              </dl>
            </details>
          </li>
        ))}
      </ol>
      {data && events.length > 0 && events.length % 50 === 0 ? (
        <button type="button" onClick={() => void loadOlder()}>
          Older entries
        </button>
      ) : null}
    </>
  );
}
