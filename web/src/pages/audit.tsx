/**
 * The audit log: filter by customer (name, email or id), member, kind (the kinds the log holds), outcome, amount
 * and date; each entry shows its customer's name and its amount, and opens on its detail (arguments, decision,
 * result, hashes); the chain's verify status; export as JSON lines or CSV (the export is itself recorded).
 */
import { type FormEvent, useState } from 'react';
import { api, download } from '../api.ts';
import { ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { type AuditEntry, AuditEntryItem } from './audit-entry.tsx';

interface Filters {
  customer: string;
  member: string;
  event: string;
  outcome: string;
  amount_min: string;
  amount_max: string;
  from: string;
  to: string;
}

const EMPTY: Filters = {
  customer: '',
  member: '',
  event: '',
  outcome: '',
  amount_min: '',
  amount_max: '',
  from: '',
  to: '',
};
const PAGE = 50;

function queryOf(filters: Filters, beforeSeq?: number): string {
  const query = new URLSearchParams({ limit: String(PAGE) });
  for (const [key, value] of Object.entries(filters)) if (value.trim()) query.set(key, value.trim());
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
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [exportError, setExportError] = useState<unknown>(null);
  const members = useLoad(() => api<{ members: { id: string; email: string }[] }>('GET', '/api/members'), []);
  // The kinds the log holds, reloaded with each search so a kind that just appeared can be picked.
  const kinds = useLoad(() => api<{ kinds: string[] }>('GET', '/api/audit/kinds'), [filters]);
  const { data, error, loading } = useLoad(
    () => api<{ events: AuditEntry[] }>('GET', `/api/audit?${queryOf(filters)}`),
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
    const page = await api<{ events: AuditEntry[] }>('GET', `/api/audit?${queryOf(filters, last.seq)}`);
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
          Customer
          <input
            value={draft.customer}
            onChange={set('customer')}
            placeholder="Name or email"
            title="A customer's name or email, any part, or their id (cus_…)"
          />
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
            {(kinds.data?.kinds ?? []).map((kind) => (
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
          Amount at least
          <input value={draft.amount_min} onChange={set('amount_min')} inputMode="decimal" placeholder="e.g. 50" />
        </label>
        <label className="field">
          Amount at most
          <input value={draft.amount_max} onChange={set('amount_max')} inputMode="decimal" placeholder="e.g. 500" />
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
      {data && !error && events.length === 0 ? <p className="empty">No entries match.</p> : null}
      {error ? null : (
        <ol className="audit-list" aria-label="Audit entries, newest first">
          {events.map((entry) => (
            <AuditEntryItem key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
      {data && !error && events.length > 0 && events.length % PAGE === 0 ? (
        <button type="button" onClick={() => void loadOlder()}>
          Older entries
        </button>
      ) : null}
    </>
  );
}
