/**
 * The `sort` argument of the listing reads: one allow-listed column and a direction, written `column_asc` or
 * `column_desc` (an enum, so a surface lists the choices and anything else is refused before SQL is built).
 */
import { z } from 'zod';
import type { ListSort } from '../connectors/connector.ts';

/** The columns each listing sorts by, for the surfaces and the agent (which never import a connector). */
export { CHARGE_SORT_COLUMNS, CUSTOMER_SORT_COLUMNS, INVOICE_SORT_COLUMNS } from '../connectors/connector.ts';

type SortValue<Column extends string> = `${Column}_asc` | `${Column}_desc`;

/** The zod field of a listing's `sort`, from its allow-listed columns. */
export function sortField<const Column extends string>(columns: readonly Column[]) {
  const values = columns.flatMap((column) => [`${column}_asc`, `${column}_desc`]) as [
    SortValue<Column>,
    ...SortValue<Column>[],
  ];
  return z.enum(values).optional();
}

/** A `sort` value as the connector takes it; undefined keeps the listing's default order. */
export function parseSort<Column extends string>(value: SortValue<Column> | undefined): ListSort<Column> | undefined {
  if (!value) return undefined;
  const cut = value.lastIndexOf('_');
  return { column: value.slice(0, cut) as Column, direction: value.slice(cut + 1) === 'asc' ? 'asc' : 'desc' };
}
