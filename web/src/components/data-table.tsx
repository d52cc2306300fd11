/**
 * The dashboard's listing table, on TanStack Table (headless: the markup and styles stay ours). Paging and sorting
 * happen on the server: the table shows one page, says "x–y of N", and its sortable headers (with aria-sort) and
 * pager change the URL's query, so a reload or Back shows the same page in the same order. Several tables on one
 * page keep apart by a query prefix (`inv_page`, `pay_sort`).
 */
import {
  type ColumnDef,
  flexRender,
  type RowData,
  rowPaginationFeature,
  rowSortingFeature,
  type SortingState,
  tableFeatures,
  type Updater,
  useTable,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { navigate, useRoute } from '../router.tsx';
import './data-table.css';

const features = tableFeatures({ rowSortingFeature, rowPaginationFeature });

/** A column: its header, the cell of a row; `sort` names the server's sort column when it can be sorted by. */
export interface TableColumn<Row> {
  id: string;
  header: string;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
  /** This column names the row (a row header, for screen readers). */
  rowHeader?: boolean;
  /** The server's sort column (`name` sorts as `name_asc`/`name_desc`); absent: not sortable. */
  sort?: string;
  /** Sort descending on the first click (amounts and dates: biggest and newest first). */
  descFirst?: boolean;
}

/** A table's paging and order as the URL holds them. */
export interface TableQuery {
  /** 1-based page number. */
  page: number;
  offset: number;
  pageSize: number;
  /** The server's sort value, e.g. `created_desc`, or undefined for the listing's default order. */
  sort: string | undefined;
}

const SORT_VALUE = /^([a-z]+)_(asc|desc)$/;

/** Reads a table's page and sort from the URL (bad values fall back to page 1 and the default order). */
export function useTableQuery(prefix = '', pageSize = 25): TableQuery {
  const { query } = useRoute();
  const page = Math.max(1, Math.min(100_000, Number.parseInt(query.get(`${prefix}page`) ?? '1', 10) || 1));
  const sortParam = query.get(`${prefix}sort`);
  const sort = sortParam && SORT_VALUE.test(sortParam) ? sortParam : undefined;
  return { page, offset: (page - 1) * pageSize, pageSize, sort };
}

/** Goes to the same path with this table's page and sort changed (a new history entry, so Back undoes it). */
function goTo(prefix: string, changes: { page?: number; sort?: string | undefined }): void {
  const params = new URLSearchParams(window.location.search);
  if (changes.page !== undefined) {
    if (changes.page > 1) params.set(`${prefix}page`, String(changes.page));
    else params.delete(`${prefix}page`);
  }
  if ('sort' in changes) {
    if (changes.sort) params.set(`${prefix}sort`, changes.sort);
    else params.delete(`${prefix}sort`);
  }
  const search = params.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`);
}

function sortingOf(sort: string | undefined, columns: TableColumn<never>[]): SortingState {
  const found = sort ? SORT_VALUE.exec(sort) : null;
  const column = found ? columns.find((candidate) => candidate.sort === found[1]) : undefined;
  return column ? [{ id: column.id, desc: found?.[2] === 'desc' }] : [];
}

function ariaSort(direction: false | 'asc' | 'desc'): 'ascending' | 'descending' | 'none' {
  return direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none';
}

/** "26–50 of 2,000": the rows shown and how many there are. */
export function rangeText(offset: number, shown: number, count: number): string {
  if (count === 0 || shown === 0) return `0 of ${count.toLocaleString('en')}`;
  return `${(offset + 1).toLocaleString('en')}–${(offset + shown).toLocaleString('en')} of ${count.toLocaleString('en')}`;
}

/** One page of rows with sortable headers and a pager; `empty` when nothing matches. */
export function DataTable<Row extends RowData>({
  label,
  rows,
  count,
  columns,
  rowKey,
  query,
  prefix = '',
  empty,
  rowClass,
  loading = false,
}: {
  /** What the rows are ("Customers"): the table's caption and the pager's label. */
  label: string;
  rows: Row[];
  /** How many rows match in all. */
  count: number;
  columns: TableColumn<Row>[];
  rowKey: (row: Row) => string;
  query: TableQuery;
  prefix?: string;
  empty: ReactNode;
  rowClass?: (row: Row) => string | undefined;
  /** True while the page the query asks for is being fetched: the rows shown are still the previous page's. */
  loading?: boolean;
}) {
  const sorting = sortingOf(query.sort, columns as TableColumn<never>[]);
  const definitions: ColumnDef<typeof features, Row>[] = columns.map((column) => ({
    id: column.id,
    header: column.header,
    accessorFn: () => null,
    cell: (context) => column.cell(context.row.original),
    enableSorting: Boolean(column.sort),
    sortDescFirst: Boolean(column.descFirst),
  }));
  const table = useTable<typeof features, Row>({
    features,
    columns: definitions,
    data: rows,
    getRowId: (row) => rowKey(row),
    manualSorting: true,
    manualPagination: true,
    rowCount: count,
    state: { sorting, pagination: { pageIndex: query.page - 1, pageSize: query.pageSize } },
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      const column = first ? columns.find((candidate) => candidate.id === first.id) : undefined;
      goTo(prefix, { page: 1, sort: column?.sort ? `${column.sort}_${first?.desc ? 'desc' : 'asc'}` : undefined });
    },
  });
  const pages = Math.max(1, Math.ceil(count / query.pageSize));
  const byId = new Map(columns.map((column) => [column.id, column]));

  if (count === 0 && query.page === 1) return <p className="muted">{empty}</p>;
  return (
    <div className="data-table">
      <div className="table-scroll">
        <table className="list stacks">
          <caption className="visually-hidden">{label}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const column = byId.get(header.column.id);
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className={column?.numeric ? 'num' : undefined}
                      aria-sort={header.column.getCanSort() ? ariaSort(sorted) : undefined}
                    >
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                          {column?.header}
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ' ↕'}
                          </span>
                        </button>
                      ) : (
                        column?.header
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody aria-busy={loading || undefined}>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className={rowClass?.(row.original)}>
                {row.getAllCells().map((cell) => {
                  const column = byId.get(cell.column.id);
                  const content = flexRender(cell.column.columnDef.cell, cell.getContext());
                  return column?.rowHeader ? (
                    <th key={cell.id} scope="row" data-label={column.header}>
                      <span className="cell">{content}</span>
                    </th>
                  ) : (
                    <td key={cell.id} className={column?.numeric ? 'num' : undefined} data-label={column?.header}>
                      <span className="cell">{content}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={`${label} pages`}>
        <span className="pager-range" data-testid="range" aria-live="polite">
          {loading ? 'Loading…' : rangeText(query.offset, rows.length, count)}
        </span>
        <button
          type="button"
          disabled={query.page <= 1}
          onClick={() => goTo(prefix, { page: query.page - 1 })}
          aria-label={`Previous page of ${label.toLowerCase()}`}
        >
          Previous
        </button>
        <span className="muted">
          Page {query.page.toLocaleString('en')} of {pages.toLocaleString('en')}
        </span>
        <button
          type="button"
          disabled={!table.getCanNextPage()}
          onClick={() => goTo(prefix, { page: query.page + 1 })}
          aria-label={`Next page of ${label.toLowerCase()}`}
        >
          Next
        </button>
      </nav>
    </div>
  );
}
