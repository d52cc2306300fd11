/**
 * Webhooks (issue 20): the org's endpoints (URL, events, enabled, created) and Leash's deliveries to them — event,
 * status (pending, retrying, delivered, dead), attempts, the receiver's last answer, the next attempt and when —
 * filtered by endpoint and status and paged by the server (the URL keeps filters and page). A dead or delivered
 * delivery can be sent again (owner and billing managers: the same redelivery as `leash webhooks redeliver`,
 * audited); its row then follows it until the worker has sent it.
 */
import { type ChangeEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { DataTable, type TableColumn, useTableQuery } from '../components/data-table.tsx';
import { ErrorNote, Loading, messageOf, PageHeader, useLoad } from '../components/ui.tsx';
import { relative, when } from '../format.ts';
import { navigate, useRoute } from '../router.tsx';
import { useMe } from '../session.tsx';
import './webhooks.css';

/** An endpoint as GET /api/webhooks/endpoints lists it. */
interface Endpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
  disabled: boolean;
  createdAt: string;
}

type Status = 'pending' | 'retrying' | 'delivered' | 'dead';

/** A delivery as GET /api/webhooks/deliveries lists it. */
interface Delivery {
  id: string;
  endpointId: string;
  url: string;
  eventId: string;
  eventType: string;
  status: Status;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

interface DeliveryPage {
  deliveries: Delivery[];
  count: number;
}

const PAGE_SIZE = 25;
const STATUSES: [Status, string][] = [
  ['pending', 'Pending (not delivered yet)'],
  ['retrying', 'Retrying (failed, tried again)'],
  ['delivered', 'Delivered'],
  ['dead', 'Dead (attempts used up)'],
];
const ENDPOINT_ID = /^we_[A-Za-z0-9]{1,64}$/;
/** How often the list looks again while a redelivered delivery waits for the worker, and for how long. */
const FOLLOW_EVERY_MS = 4_000;
const FOLLOW_FOR_MS = 3 * 60_000;

const TONE: Record<Status, string> = { pending: 'warn', retrying: 'warn', delivered: 'good', dead: 'bad' };

function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge badge-${TONE[status]}`}>{status}</span>;
}

/** The receiver's last answer: its HTTP status, or why there was none. */
function LastAnswer({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts === 0) return <span className="muted">not tried yet</span>;
  const code = delivery.lastStatus;
  return (
    <span className="last-answer">
      {code !== null ? <span className={code >= 200 && code < 300 ? 'success' : 'failure'}>HTTP {code}</span> : null}
      {/* The error says more than the status code only when there was no answer (refused, timed out, refused address). */}
      {delivery.lastError &&
      delivery.status !== 'delivered' &&
      (code === null || !delivery.lastError.includes(String(code))) ? (
        <span className="muted small-text">{code !== null ? ` · ${delivery.lastError}` : delivery.lastError}</span>
      ) : null}
    </span>
  );
}

function EndpointCard({ endpoint, count }: { endpoint: Endpoint; count?: number }) {
  return (
    <li className="card endpoint" data-endpoint={endpoint.id}>
      <div className="card-head">
        <h3 className="endpoint-url">
          <code>{endpoint.url}</code>
        </h3>
        <span className={`badge ${endpoint.disabled ? 'badge-plain' : 'badge-good'}`}>
          {endpoint.disabled ? 'disabled' : 'enabled'}
        </span>
      </div>
      {endpoint.description ? <p className="muted endpoint-description">{endpoint.description}</p> : null}
      <dl className="facts">
        <dt>Events</dt>
        <dd>
          <ul className="event-list" aria-label="Events">
            {endpoint.events.map((event) => (
              <li key={event}>
                <code>{event}</code>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Created</dt>
        <dd>{when(endpoint.createdAt)}</dd>
        <dt>Id</dt>
        <dd>
          <code>{endpoint.id}</code>
        </dd>
      </dl>
      <button
        type="button"
        className="small"
        onClick={() => navigate(`/outbound-webhooks?endpoint=${encodeURIComponent(endpoint.id)}`)}
        aria-label={`Show deliveries to ${endpoint.url}`}
      >
        Show deliveries{count !== undefined ? ` (${count.toLocaleString('en')})` : ''}
      </button>
    </li>
  );
}

/** The webhooks page. */
export function WebhooksPage() {
  const me = useMe();
  const mayRedeliver = me.member.role === 'owner' || me.member.role === 'billing_manager';
  const { query } = useRoute();
  const endpointParam = query.get('endpoint') ?? '';
  const statusParam = query.get('status') ?? '';
  const endpointId = ENDPOINT_ID.test(endpointParam) ? endpointParam : '';
  const status = STATUSES.some(([value]) => value === statusParam) ? statusParam : '';
  const table = useTableQuery('', PAGE_SIZE);

  const endpoints = useLoad(() => api<{ endpoints: Endpoint[] }>('GET', '/api/webhooks/endpoints'), []);
  const search = new URLSearchParams({ limit: String(table.pageSize), offset: String(table.offset) });
  if (endpointId) search.set('endpoint', endpointId);
  if (status) search.set('state', status);
  const key = search.toString();
  const { data, error, loading, reload } = useLoad(
    () => api<DeliveryPage>('GET', `/api/webhooks/deliveries?${key}`),
    [key],
  );

  // A redelivered delivery stays where it is in the list and is read again on its own until the worker has sent it
  // (under a "dead" filter it would otherwise vanish the moment it is queued again).
  const [followed, setFollowed] = useState<{ views: Record<string, Delivery>; until: number }>({
    views: {},
    until: 0,
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter or page starts afresh.
  useEffect(() => {
    setFollowed({ views: {}, until: 0 });
    setNote(null);
  }, [key]);
  const waitingIds = Object.values(followed.views)
    .filter((view) => view.status === 'pending' || view.status === 'retrying')
    .map((view) => view.id)
    .join(' ');
  useEffect(() => {
    if (!waitingIds || followed.until === 0) return;
    const timer = setInterval(() => {
      if (Date.now() > followed.until) {
        // Long enough: the rows keep their last view; Refresh reads the list again.
        setFollowed((previous) => ({ ...previous, until: 0 }));
        return;
      }
      for (const id of waitingIds.split(' '))
        api<{ delivery: Delivery }>('GET', `/api/webhooks/deliveries/${encodeURIComponent(id)}`)
          .then(({ delivery }) =>
            setFollowed((previous) => ({ ...previous, views: { ...previous.views, [id]: delivery } })),
          )
          .catch(() => undefined); // a missed look is tried again on the next tick
    }, FOLLOW_EVERY_MS);
    return () => clearInterval(timer);
  }, [waitingIds, followed.until]);
  const rows = data?.deliveries.map((row) => followed.views[row.id] ?? row) ?? [];

  const redeliver = async (delivery: Delivery) => {
    setBusy(delivery.id);
    setActionError(null);
    setNote(null);
    try {
      const answer = await api<{ delivery: Delivery }>(
        'POST',
        `/api/webhooks/deliveries/${encodeURIComponent(delivery.id)}/redeliver`,
      );
      setNote(`${delivery.eventType} to ${delivery.url} is queued again; the server sends it within a minute.`);
      setFollowed((previous) => ({
        views: { ...previous.views, [delivery.id]: answer.delivery },
        until: Date.now() + FOLLOW_FOR_MS,
      }));
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(null);
    }
  };

  const setFilter = (name: 'endpoint' | 'status') => (event: ChangeEvent<HTMLSelectElement>) => {
    const params = new URLSearchParams(window.location.search);
    if (event.target.value) params.set(name, event.target.value);
    else params.delete(name);
    params.delete('page');
    const next = params.toString();
    navigate(`/outbound-webhooks${next ? `?${next}` : ''}`);
  };

  const byId = new Map((endpoints.data?.endpoints ?? []).map((endpoint) => [endpoint.id, endpoint]));
  const columns: TableColumn<Delivery>[] = [
    {
      id: 'event',
      header: 'Event',
      rowHeader: true,
      cell: (row) => <code>{row.eventType}</code>,
    },
    {
      id: 'endpoint',
      header: 'Endpoint',
      cell: (row) => (
        <code className="delivery-url" title={row.url}>
          {row.url}
        </code>
      ),
    },
    { id: 'status', header: 'Status', cell: (row) => <StatusBadge status={row.status} /> },
    { id: 'attempts', header: 'Attempts', numeric: true, cell: (row) => row.attempts.toLocaleString('en') },
    { id: 'answer', header: 'Last answer', cell: (row) => <LastAnswer delivery={row} /> },
    {
      id: 'next',
      header: 'Next attempt',
      cell: (row) =>
        row.nextAttemptAt ? (
          <time dateTime={row.nextAttemptAt} title={when(row.nextAttemptAt)}>
            {new Date(row.nextAttemptAt).getTime() <= Date.now() ? 'due now' : relative(row.nextAttemptAt)}
          </time>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      id: 'time',
      header: 'Time',
      cell: (row) => (
        <time
          dateTime={row.deliveredAt ?? row.createdAt}
          title={row.deliveredAt ? `Delivered; the event was sent first ${when(row.createdAt)}` : 'Event sent'}
        >
          {when(row.deliveredAt ?? row.createdAt)}
        </time>
      ),
    },
    ...(mayRedeliver
      ? [
          {
            id: 'actions',
            header: 'Actions',
            cell: (row: Delivery) =>
              row.status === 'dead' || row.status === 'delivered' ? (
                <button
                  type="button"
                  className={row.status === 'dead' ? 'small primary' : 'small'}
                  disabled={busy === row.id}
                  onClick={() => void redeliver(row)}
                  aria-label={`Redeliver ${row.eventType} to ${row.url}`}
                >
                  {busy === row.id ? 'Redelivering…' : 'Redeliver'}
                </button>
              ) : null,
          },
        ]
      : []),
  ];

  const filtered = Boolean(endpointId || status);
  return (
    <>
      <PageHeader title="Webhooks">
        Leash sends its billing events, signed, to these endpoints. A failed delivery is tried again with growing waits
        and is dead after its last attempt{mayRedeliver ? '; you can send a dead one again' : ''}.
      </PageHeader>
      <section aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {endpoints.loading && !endpoints.data ? <Loading what="Loading endpoints" /> : null}
        <ErrorNote error={endpoints.error} />
        {endpoints.data && endpoints.data.endpoints.length === 0 ? (
          <p className="muted">
            No endpoints yet. Ask in Chat, e.g. “wire the invoice.paid webhook to https://…”, or use{' '}
            <code>create_webhook_endpoint</code>.
          </p>
        ) : null}
        <ul className="cards endpoints">
          {(endpoints.data?.endpoints ?? []).map((endpoint) => (
            <EndpointCard key={endpoint.id} endpoint={endpoint} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        <form className="filters card" aria-label="Filter deliveries" onSubmit={(event) => event.preventDefault()}>
          <label className="field">
            Endpoint
            <select value={endpointId} onChange={setFilter('endpoint')}>
              <option value="">Every endpoint</option>
              {endpointId && !byId.has(endpointId) ? <option value={endpointId}>{endpointId}</option> : null}
              {(endpoints.data?.endpoints ?? []).map((endpoint) => (
                <option key={endpoint.id} value={endpoint.id}>
                  {endpoint.url}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Status
            <select value={status} onChange={setFilter('status')}>
              <option value="">Any status</option>
              {STATUSES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <div className="actions">
            {filtered ? (
              <button type="button" onClick={() => navigate('/outbound-webhooks')}>
                Clear filters
              </button>
            ) : null}
            <button
              type="button"
              onClick={() => {
                setFollowed({ views: {}, until: 0 });
                setNote(null);
                void reload();
              }}
            >
              Refresh
            </button>
          </div>
        </form>
        {note ? (
          <p className="note note-info" role="status">
            {note}
          </p>
        ) : null}
        {actionError ? (
          <p className="note note-error" role="alert">
            Not redelivered: {messageOf(actionError)}
          </p>
        ) : null}
        {loading && !data ? <Loading what="Loading deliveries" /> : null}
        <ErrorNote error={error} />
        {data ? (
          <DataTable
            label="Deliveries"
            rows={rows}
            count={data.count}
            columns={columns}
            rowKey={(row) => row.id}
            query={table}
            loading={loading}
            rowClass={(row) => (row.status === 'dead' ? 'flagged' : undefined)}
            empty={filtered ? 'No deliveries match these filters.' : 'No deliveries yet.'}
          />
        ) : null}
      </section>
    </>
  );
}
