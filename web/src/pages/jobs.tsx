/**
 * Jobs (issue 19): the background job queue as the org sees it (owner and billing managers) — how many jobs are in
 * each state, by queue; the failed ones with their error and attempts, and Retry for the org's own (the same retry
 * as `leash jobs`, audited as job.retried); the newest jobs, filtered by state and queue (kept in the URL). On
 * PostgreSQL the queue is pg-boss in the database (every process's jobs); on the embedded store it runs inside
 * this server, and the page says so.
 */
import { type ChangeEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote, Loading, messageOf, PageHeader, useLoad } from '../components/ui.tsx';
import { relative, when } from '../format.ts';
import { navigate, useRoute } from '../router.tsx';
import '../components/data-table.css';
import './jobs.css';

type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** A job as GET /api/jobs lists it. */
interface Job {
  id: string;
  queue: string;
  state: JobState;
  orgId: string | null;
  bulkJobId: string | null;
  retryCount: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
}

interface JobsAnswer {
  engine: 'pg-boss' | 'in-process';
  counts: Record<JobState, number>;
  jobs: Job[];
}

/** The states in the order work moves through them, as people read them. */
const STATES: [JobState, string][] = [
  ['created', 'Waiting'],
  ['active', 'Running'],
  ['retry', 'Retrying'],
  ['failed', 'Failed'],
  ['completed', 'Completed'],
  ['cancelled', 'Cancelled'],
];
const STATE_WORDS = Object.fromEntries(STATES) as Record<JobState, string>;
const TONE: Record<JobState, string> = {
  created: 'plain',
  active: 'good',
  retry: 'warn',
  failed: 'bad',
  completed: 'good',
  cancelled: 'plain',
};

/** The queues and what each does. */
const QUEUES: [string, string][] = [
  ['bulk-job', 'Bulk jobs (a slice of targets at a time)'],
  ['execution-recovery', 'Recovery of unfinished executions'],
  ['stripe-sync-sweep', 'Stripe catch-up (starts one per org)'],
  ['stripe-sync', 'Stripe catch-up'],
  ['outbox-delivery', 'Outbox delivery (replies by email)'],
  ['audit-checkpoints', 'Audit checkpoints'],
  ['webhook-delivery', 'Webhook delivery'],
];
const QUEUE_WORDS = Object.fromEntries(QUEUES) as Record<string, string>;

const LISTED = 100;

function StateBadge({ state }: { state: JobState }) {
  return <span className={`badge badge-${TONE[state]}`}>{STATE_WORDS[state]}</span>;
}

function QueueName({ queue }: { queue: string }) {
  return (
    <span className="queue-name">
      {QUEUE_WORDS[queue] ?? queue} <code className="muted small-text">{queue}</code>
    </span>
  );
}

/** What the job works for: a bulk job, the org, or every org (a sweep). */
function forWhom(job: Job): string {
  if (job.bulkJobId) return job.bulkJobId;
  return job.orgId === null ? 'every org' : 'this org';
}

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={when(iso)}>
      {relative(iso)}
    </time>
  );
}

/** Counts by state for each queue (one small read per queue: the counts cover all its jobs, not only those listed). */
function ByQueue({ reloadKey }: { reloadKey: number }) {
  const { data, error, loading } = useLoad(
    () =>
      Promise.all(
        QUEUES.map(([queue]) =>
          api<JobsAnswer>('GET', `/api/jobs?queue=${queue}&limit=1`).then((answer) => [queue, answer.counts] as const),
        ),
      ),
    [reloadKey],
  );
  return (
    <section className="card" aria-labelledby="by-queue-title">
      <h2 id="by-queue-title">By queue</h2>
      {loading && !data ? <Loading what="Counting jobs" /> : null}
      <ErrorNote error={error} />
      {data ? (
        <div className="table-scroll">
          <table className="list stacks by-queue">
            <caption className="visually-hidden">Jobs in each state, by queue</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {STATES.map(([state, label]) => (
                  <th key={state} scope="col" className="num">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.map(([queue, counts]) => (
                <tr key={queue} className={counts.failed > 0 ? 'flagged' : undefined}>
                  <th scope="row" data-label="Queue">
                    <span className="cell">
                      <QueueName queue={queue} />
                    </span>
                  </th>
                  {STATES.map(([state, label]) => (
                    <td key={state} className="num" data-label={label}>
                      <span className="cell">{(counts[state] ?? 0).toLocaleString('en')}</span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function FailedJob({ job, onRetry, busy }: { job: Job; onRetry: (job: Job) => void; busy: boolean }) {
  const attempts = job.retryCount + 1;
  return (
    <li className="card failed-job" data-job={job.id}>
      <div className="card-head">
        <h3>
          <QueueName queue={job.queue} />
        </h3>
        <StateBadge state={job.state} />
      </div>
      <p className="job-error" data-testid="job-error">
        {job.error ?? 'It failed without an error message.'}
      </p>
      <dl className="facts">
        <dt>For</dt>
        <dd>{job.bulkJobId ? <code>{job.bulkJobId}</code> : forWhom(job)}</dd>
        <dt>Attempts</dt>
        <dd>{attempts.toLocaleString('en')}</dd>
        <dt>Failed</dt>
        <dd>{when(job.completedAt)}</dd>
        <dt>Queued</dt>
        <dd>{when(job.createdAt)}</dd>
        <dt>Job</dt>
        <dd>
          <code>{job.id}</code>
        </dd>
      </dl>
      {job.orgId === null ? (
        <p className="muted small-text">A sweep over every org runs again on its own schedule.</p>
      ) : (
        <button
          type="button"
          className="small primary"
          disabled={busy}
          onClick={() => onRetry(job)}
          aria-label={`Retry the failed ${QUEUE_WORDS[job.queue] ?? job.queue} job ${job.id}`}
        >
          {busy ? 'Retrying…' : 'Retry'}
        </button>
      )}
    </li>
  );
}

/** The jobs page. */
export function JobsPage() {
  const { query } = useRoute();
  const stateParam = query.get('state') ?? '';
  const queueParam = query.get('queue') ?? '';
  const state = STATES.some(([value]) => value === stateParam) ? stateParam : '';
  const queue = QUEUE_WORDS[queueParam] ? queueParam : '';
  const [reloadKey, setReloadKey] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<unknown>(null);

  const listing = new URLSearchParams({ limit: String(LISTED) });
  if (state) listing.set('state', state);
  if (queue) listing.set('queue', queue);
  const recent = useLoad(() => api<JobsAnswer>('GET', `/api/jobs?${listing}`), [listing.toString(), reloadKey]);
  const failed = useLoad(() => api<JobsAnswer>('GET', '/api/jobs?state=failed&limit=50'), [reloadKey]);

  const retry = async (job: Job) => {
    setBusy(job.id);
    setNote(null);
    setRetryError(null);
    try {
      await api('POST', `/api/jobs/${encodeURIComponent(job.id)}/retry`);
      setNote(`The ${QUEUE_WORDS[job.queue] ?? job.queue} job is queued again; a worker takes it shortly.`);
      setReloadKey((key) => key + 1);
    } catch (caught) {
      setRetryError(caught);
    } finally {
      setBusy(null);
    }
  };

  const setFilter = (name: 'state' | 'queue') => (event: ChangeEvent<HTMLSelectElement>) => {
    const params = new URLSearchParams(window.location.search);
    if (event.target.value) params.set(name, event.target.value);
    else params.delete(name);
    const next = params.toString();
    navigate(`/jobs${next ? `?${next}` : ''}`);
  };

  const overall = failed.data;
  const total = overall ? Object.values(overall.counts).reduce((sum, count) => sum + count, 0) : 0;
  const shownTotal = recent.data
    ? state
      ? (recent.data.counts[state as JobState] ?? 0)
      : Object.values(recent.data.counts).reduce((sum, count) => sum + count, 0)
    : 0;

  return (
    <>
      <PageHeader title="Jobs">
        Background work: bulk jobs, recovery of unfinished executions, the Stripe catch-up, outbox and webhook delivery,
        audit checkpoints. A failed attempt is retried with growing waits; a job that used up its attempts is failed and
        waits for you.
      </PageHeader>
      {overall ? (
        <p className="note note-info engine-note" data-testid="engine">
          {overall.engine === 'pg-boss'
            ? 'On PostgreSQL: the queue lives in the database (pg-boss). Any worker process takes a job, retries it with backoff and takes it over when the process running it stops. Finished jobs stay listed for a week.'
            : 'On the embedded store the queue runs inside this server process: it lists the jobs since the server started (the last 200 finished ones). Work it had not finished resumes from the store when the server starts again.'}
        </p>
      ) : null}
      <section className="card" aria-labelledby="states-title">
        <h2 id="states-title">Queue state</h2>
        {failed.loading && !overall ? <Loading what="Reading the queue" /> : null}
        <ErrorNote error={failed.error} />
        {overall ? (
          <>
            <ul className="figures job-figures" aria-label="Jobs by state">
              {STATES.map(([value, label]) => (
                <li key={value} className={`figure${value === 'failed' && overall.counts.failed > 0 ? ' bad' : ''}`}>
                  <span className="figure-value">{(overall.counts[value] ?? 0).toLocaleString('en')}</span>
                  <span className="figure-label">{label}</span>
                </li>
              ))}
            </ul>
            <p className="muted small-text">
              {total.toLocaleString('en')} jobs in all: this org&apos;s and the sweeps over every org.
            </p>
          </>
        ) : null}
        <button type="button" className="small" onClick={() => setReloadKey((key) => key + 1)}>
          Refresh
        </button>
      </section>
      <ByQueue reloadKey={reloadKey} />
      <section aria-labelledby="failed-title">
        <h2 id="failed-title">Failed jobs</h2>
        {note ? (
          <p className="note note-info" role="status">
            {note}
          </p>
        ) : null}
        {retryError ? (
          <p className="note note-error" role="alert">
            Not retried: {messageOf(retryError)}
          </p>
        ) : null}
        {overall && overall.jobs.length === 0 ? <p className="muted">No failed jobs.</p> : null}
        <ul className="cards failed-jobs" aria-label="Failed jobs">
          {(overall?.jobs ?? []).map((job) => (
            <FailedJob key={job.id} job={job} onRetry={(chosen) => void retry(chosen)} busy={busy === job.id} />
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="recent-title">
        <h2 id="recent-title">Newest jobs</h2>
        <form className="filters" aria-label="Filter jobs" onSubmit={(event) => event.preventDefault()}>
          <label className="field">
            State
            <select value={state} onChange={setFilter('state')}>
              <option value="">Any state</option>
              {STATES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Queue
            <select value={queue} onChange={setFilter('queue')}>
              <option value="">Every queue</option>
              {QUEUES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </form>
        {recent.loading && !recent.data ? <Loading what="Loading jobs" /> : null}
        <ErrorNote error={recent.error} />
        {recent.data && recent.data.jobs.length === 0 ? <p className="muted">No jobs match.</p> : null}
        {recent.data && recent.data.jobs.length > 0 ? (
          <>
            <p className="muted small-text" aria-live="polite">
              {recent.loading
                ? 'Loading…'
                : `The newest ${recent.data.jobs.length.toLocaleString('en')} of ${shownTotal.toLocaleString('en')}`}
            </p>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region that may scroll sideways is reached by keyboard. */}
            <section className="table-scroll" tabIndex={0} aria-label="Newest jobs, scrollable">
              <table className="list stacks jobs-table">
                <caption className="visually-hidden">Newest jobs</caption>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">State</th>
                    <th scope="col">For</th>
                    <th scope="col" className="num">
                      Retries
                    </th>
                    <th scope="col">Queued</th>
                    <th scope="col">Finished</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody aria-busy={recent.loading || undefined}>
                  {recent.data.jobs.map((job) => (
                    <tr key={job.id} className={job.state === 'failed' ? 'flagged' : undefined}>
                      <th scope="row" data-label="Queue">
                        <span className="cell" title={job.queue}>
                          {QUEUE_WORDS[job.queue] ?? job.queue}
                        </span>
                      </th>
                      <td data-label="State">
                        <span className="cell">
                          <StateBadge state={job.state} />
                        </span>
                      </td>
                      <td data-label="For">
                        <span className="cell">{job.bulkJobId ? <code>{job.bulkJobId}</code> : forWhom(job)}</span>
                      </td>
                      <td className="num" data-label="Retries">
                        <span className="cell">{job.retryCount.toLocaleString('en')}</span>
                      </td>
                      <td data-label="Queued">
                        <span className="cell">
                          <Time iso={job.createdAt} />
                        </span>
                      </td>
                      <td data-label="Finished">
                        <span className="cell">
                          <Time iso={job.completedAt} />
                        </span>
                      </td>
                      <td data-label="Error" className="job-error-cell">
                        <span className="cell">{job.error ?? <span className="muted">—</span>}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </>
        ) : null}
      </section>
    </>
  );
}
