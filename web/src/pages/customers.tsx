/** Customers: search by name, email or id, then a customer's page. */
import { type FormEvent, useState } from 'react';
import { read } from '../api.ts';
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

/** The customer list with search. */
export function CustomersPage() {
  const { query } = useRoute();
  const term = query.get('q') ?? '';
  const [draft, setDraft] = useState(term);
  const { data, error, loading } = useLoad(
    () => read<{ customers: Customer[] }>('search_customers', { query: term, limit: 50 }),
    [term],
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
      {data && data.customers.length === 0 ? <p className="empty">No customer matches “{term}”.</p> : null}
      {data && data.customers.length > 0 ? (
        <div className="table-scroll">
          <table className="list">
            <caption className="visually-hidden">Customers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Country</th>
                <th scope="col" className="num">
                  Balance
                </th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {data.customers.map((customer) => (
                <tr key={customer.id}>
                  <th scope="row">
                    <Link to={`/customers/${customer.id}`}>{customer.name}</Link>
                  </th>
                  <td>{customer.email}</td>
                  <td>{customer.country}</td>
                  <td className="num">{money(customer.balance, customer.currency)}</td>
                  <td>{when(customer.createdAt, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
