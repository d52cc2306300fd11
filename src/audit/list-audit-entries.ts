/**
 * The audit log as a person reads it: events with the customer's name and the money at stake, filtered by a
 * customer's name or email (resolved to ids here, in the ledger's customers and the Stripe mirror's), and by
 * amount. The amount is the one the proposal's server-derived preview named; events of no proposal have none.
 */
import { type Kysely, sql } from 'kysely';
import { CURRENCY_EXPONENTS, type Currency, type Money } from '../domain/money.ts';
import type { Database } from '../store/schema.ts';
import type { AuditEvent } from './append-audit-event.ts';
import { type AuditFilter, filteredAuditEvents, MAX_AUDIT_LIST } from './list-audit-events.ts';

/** A listing's filter: the log's own, plus customer text, money and currency. */
export interface AuditEntryFilter extends AuditFilter {
  /** Any part of a customer's name or email, any case. */
  customerText?: string;
  /** Amounts in major units as decimal text ("50", "49.99"), compared in each row's own currency. */
  amountMin?: string;
  amountMax?: string;
  /** Only rows whose money is in this currency. */
  currency?: Currency;
}

/** An event with its customer's name and its money. */
export type AuditEntry = AuditEvent & { customerName: string | null; amount: Money | null };

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
function containing(text: string): string {
  return `%${text.trim().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The Stripe mirror's schema beside the executor's (migration 0014 creates it in every store). */
async function mirrorSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return `${rows[0]?.schema ?? 'public'}_stripe`;
}

/** Ids of the org's customers (ledger and mirror) whose name or email contains `text`. */
function customersMatching(orgId: string, text: string, mirror: string) {
  const pattern = containing(text);
  const matches = (table: ReturnType<typeof sql.table>) =>
    sql`select id from ${table} where org_id = ${orgId} and (name ilike ${pattern} escape '\\' or email ilike ${pattern} escape '\\')`;
  return sql`(${matches(sql.table('customers'))} union ${matches(sql.table(`${mirror}.customers`))})`;
}

/** A row's amount in minor units compared with a major-unit bound, in the row's own currency. */
function amountBound(bound: string, operator: '>=' | '<=') {
  const scale = sql.join(
    Object.entries(CURRENCY_EXPONENTS).map(
      ([code, exponent]) => sql`when ${sql.lit(code)} then ${sql.lit(10 ** exponent)}`,
    ),
    sql` `,
  );
  return sql<boolean>`p.money_amount::numeric ${sql.raw(operator)} cast(${bound} as numeric) * (case p.money_currency ${scale} end)`;
}

/** Names of the given customers, from the ledger and the mirror. */
async function customerNames(
  db: Kysely<Database>,
  orgId: string,
  ids: string[],
  mirror: string,
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const list = sql.join(ids);
  const { rows } = await sql<{ id: string; name: string }>`
    select id, name from customers where org_id = ${orgId} and id in (${list})
    union all
    select id, name from ${sql.table(`${mirror}.customers`)} where org_id = ${orgId} and id in (${list})`.execute(db);
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Returns the org's audit events matching the filter, each with its customer's name and its amount. */
export async function listAuditEntries(
  db: Kysely<Database>,
  orgId: string,
  filter: AuditEntryFilter = {},
): Promise<AuditEntry[]> {
  const mirror = await mirrorSchema(db);
  let query = filteredAuditEvents(db, orgId, filter).leftJoin('proposals as p', (join) =>
    join.onRef('p.id', '=', 'e.proposalId').onRef('p.orgId', '=', 'e.orgId'),
  );
  if (filter.customerText)
    query = query.where(sql<boolean>`e.customer_id in ${customersMatching(orgId, filter.customerText, mirror)}`);
  if (filter.currency) query = query.where('p.moneyCurrency', '=', filter.currency);
  if (filter.amountMin !== undefined) query = query.where(amountBound(filter.amountMin, '>='));
  if (filter.amountMax !== undefined) query = query.where(amountBound(filter.amountMax, '<='));
  const rows = await query
    .selectAll('e')
    .select(['p.moneyAmount', 'p.moneyCurrency'])
    .orderBy('e.seq', filter.newestFirst ? 'desc' : 'asc')
    .limit(Math.min(filter.limit ?? 100, MAX_AUDIT_LIST))
    .execute();
  const ids = [...new Set(rows.flatMap((row) => (row.customerId ? [row.customerId] : [])))];
  const names = await customerNames(db, orgId, ids, mirror);
  return rows.map(({ moneyAmount, moneyCurrency, ...event }) => ({
    ...(event as AuditEvent),
    customerName: event.customerId ? (names.get(event.customerId) ?? null) : null,
    amount:
      moneyAmount !== null && moneyCurrency !== null
        ? { amount: Number(moneyAmount), currency: moneyCurrency as Currency }
        : null,
  }));
}
