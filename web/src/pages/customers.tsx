/** Customers: search by name, email or id, page and sort the list (kept in the URL), then a customer's page. */
import { type FormEvent, useState } from 'react';
import { read } from '../api.ts';
import { DataTable, type TableColumn, useTableQuery } from '../components/data-table.tsx';
import { ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, when } from '../format.ts';
import { Link, navigate, useRoute } from '../router.tsx';

/** A customer as read operations return it. */
export interface Customer {
  id: string;
  name: string;
  email: string;
  country: string;
  currency: string;
  balance: number;
  createdAt: string;
  paymentMethod: { brand: string; last4: string; expMonth: number; expYear: number } | null;
}

const PAGE_SIZE = 25;

const COLUMNS: TableColumn<Customer>[] = [
  {
    id: 'name',
    header: 'Name',
    sort: 'name',
    rowHeader: true,
    cell: (customer) => <Link to={`/customers/${customer.id}`}>{customer.name}</Link>,
  },
  { id: 'email', header: 'Email', sort: 'email', cell: (customer) => customer.email },
  { id: 'country', header: 'Country', sort: 'country', cell: (customer) => customer.country },
  {
    id: 'balance',
    header: 'Balance',
    sort: 'balance',
    numeric: true,
    descFirst: true,
    cell: (customer) => money(customer.balance, customer.currency),
  },
  {
    id: 'created',
    header: 'Since',
    sort: 'created',
    descFirst: true,
    cell: (customer) => when(customer.createdAt, true),
  },
];

/** The customer list with search, server-side paging and sorting. */
export function CustomersPage() {
  const { query } = useRoute();
  const term = query.get('q') ?? '';
  const table = useTableQuery('', PAGE_SIZE);
  const [draft, setDraft] = useState(term);
  const { data, error, loading } = useLoad(
    () =>
      read<{ customers: Customer[]; count: number }>('search_customers', {
        query: term,
        limit: table.pageSize,
        offset: table.offset,
        ...(table.sort ? { sort: table.sort } : {}),
      }),
    [term, table.offset, table.sort],
  );
  const search = (event: FormEvent) => {
    event.preventDefault();
    navigate(draft.trim() ? `/customers?q=${encodeURIComponent(draft.trim())}` : '/customers');
  };
  return (
    <>
      <PageHeader title="Customers">
        Search by name, email or id; open a customer for plan, invoices and payments.
      </PageHeader>
      <form className="search" onSubmit={search} aria-label="Customer search">
        <label htmlFor="customer-search" className="visually-hidden">
          Search customers
        </label>
        <input
          id="customer-search"
          type="search"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="Acme, billing@…, cus_…"
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {loading && !data ? <Loading /> : null}
      <ErrorNote error={error} />
      {data ? (
        <DataTable
          label="Customers"
          rows={data.customers}
          count={data.count}
          columns={COLUMNS}
          rowKey={(customer) => customer.id}
          query={table}
          loading={loading}
          empty={term ? `No customer matches “${term}”.` : 'No customers yet.'}
        />
      ) : null}
    </>
  );
}
