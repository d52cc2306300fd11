/** Small shared pieces: loading and error states, status badges, the load hook. */
import { type DependencyList, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { words } from '../format.ts';

/** The message to show for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** An error as people read it, announced to screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <p className="note note-error" role="alert">
      {messageOf(error)}
      {code && code !== 'internal' ? <span className="muted"> ({words(code)})</span> : null}
    </p>
  );
}

/** A polite loading line. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted loading" aria-live="polite">
      {what}…
    </p>
  );
}

/** A status as a coloured badge with its words. */
export function Badge({ status, children }: { status: string; children?: ReactNode }) {
  const tone = /succeeded|approved|pass|paid|active|connected|ok|read/.test(status)
    ? 'good'
    : /block|rejected|failed|expired|uncollectible|canceled|unpaid|error/.test(status)
      ? 'bad'
      : /warn|awaiting|pending|open|past_due|trialing|waiting/.test(status)
        ? 'warn'
        : 'plain';
  return <span className={`badge badge-${tone}`}>{children ?? words(status)}</span>;
}

/** Loads data for a page: `{ data, error, loading, reload }`. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on.
  const run = useCallback(load, deps);
  // `loadedBy`: the load the data came from, so a render right after the deps change already says "loading"
  // (the data shown is still the previous query's) before the effect starts the new load.
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean; loadedBy: unknown }>({
    data: null,
    error: null,
    loading: true,
    loadedBy: null,
  });
  const reload = useCallback(async () => {
    setState((previous) => ({ ...previous, loading: true, error: null }));
    try {
      const data = await run();
      setState({ data, error: null, loading: false, loadedBy: run });
    } catch (error) {
      setState((previous) => ({ ...previous, error, loading: false, loadedBy: run }));
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const { loadedBy: _loadedBy, ...shown } = state;
  return { ...shown, loading: state.loading || state.loadedBy !== run, reload };
}

/** A page's heading and intro. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children ? <div className="page-intro">{children}</div> : null}
    </header>
  );
}

/** A column of a {@link DataTable}: its header, the cell of a row, numbers aligned right. */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
  /** This column names the row (a row header, for screen readers). */
  rowHeader?: boolean;
}

/** A scrollable table of rows, or `empty` when there are none. */
export function DataTable<Row>({
  rows,
  columns,
  rowKey,
  empty,
}: {
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  empty: string;
}) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-scroll">
      <table className="list">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) =>
                column.rowHeader ? (
                  <th key={column.header} scope="row">
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.header} className={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
