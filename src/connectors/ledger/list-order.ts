/**
 * The orders of the ledger's customer, invoice and charge listings: an allow-listed column (never a name from
 * input) mapped to its SQL column, then the id, so a sort is total and pages never overlap or skip a row.
 * Nullable columns (an invoice's due date) sort their nulls last in either direction.
 */
import { type OrderByModifiers, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { CHARGE_SORT_COLUMNS, CUSTOMER_SORT_COLUMNS, INVOICE_SORT_COLUMNS, ListSort } from '../connector.ts';

type Direction = ListSort<string>['direction'];
const nullsLast =
  (direction: Direction): OrderByModifiers =>
  (ob) =>
    (direction === 'asc' ? ob.asc() : ob.desc()).nullsLast();

/** Orders a customer select by `sort`. */
export function orderCustomers<Output>(
  select: SelectQueryBuilder<Database, 'customers', Output>,
  sort: ListSort<(typeof CUSTOMER_SORT_COLUMNS)[number]>,
): SelectQueryBuilder<Database, 'customers', Output> {
  const { column, direction } = sort;
  const ordered =
    column === 'name'
      ? select.orderBy(sql`lower(name)`, direction)
      : column === 'email'
        ? select.orderBy(sql`lower(email)`, direction)
        : column === 'country'
          ? select.orderBy('country', direction)
          : column === 'balance'
            ? select.orderBy('balance', direction)
            : select.orderBy('createdAt', direction);
  return ordered.orderBy('id', direction);
}

/** Orders an invoice select by `sort`. */
export function orderInvoices<Output>(
  select: SelectQueryBuilder<Database, 'invoices', Output>,
  sort: ListSort<(typeof INVOICE_SORT_COLUMNS)[number]>,
): SelectQueryBuilder<Database, 'invoices', Output> {
  const { column, direction } = sort;
  const ordered =
    column === 'number'
      ? select.orderBy('number', direction)
      : column === 'status'
        ? select.orderBy('status', direction)
        : column === 'total'
          ? select.orderBy('total', direction)
          : column === 'remaining'
            ? select.orderBy('amountRemaining', direction)
            : column === 'due'
              ? select.orderBy('dueDate', nullsLast(direction))
              : select.orderBy('createdAt', direction);
  return ordered.orderBy('id', direction);
}

/** Orders a charge select by `sort`. */
export function orderCharges<Output>(
  select: SelectQueryBuilder<Database, 'charges', Output>,
  sort: ListSort<(typeof CHARGE_SORT_COLUMNS)[number]>,
): SelectQueryBuilder<Database, 'charges', Output> {
  const { column, direction } = sort;
  const ordered =
    column === 'amount'
      ? select.orderBy('amount', direction)
      : column === 'status'
        ? select.orderBy('status', direction)
        : column === 'refunded'
          ? select.orderBy('amountRefunded', direction)
          : select.orderBy('createdAt', direction);
  return ordered.orderBy('id', direction);
}
