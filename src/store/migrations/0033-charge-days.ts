/**
 * Payment attempts by day, kept as billing happens (issue 21): `charge_days` holds, per org, UTC day, customer
 * country, method and outcome ('' for a success, else the failure code, `card_declined` when none was given),
 * how many charges were attempted and their sum. The failure-rate insight reads whole days from it and only the
 * partial days at a window's edges from the charges: at 100k customers a three-month window is ~140k charges,
 * or ~1,000 fact rows.
 *
 * Kept in the same transaction as the write, whoever writes (ledger engine, demo writer, Stripe mirror, a
 * hand-run statement), in the ledger's schema and the Stripe mirror's, by statement triggers with transition
 * tables:
 * * on charges: inserted rows are added, deleted rows taken away, an update takes the old rows away and adds
 *   the new ones when it changes what is counted (a refund changes nothing here);
 * * on customers: a change of country moves the customer's charges to the new country, as the charges' own
 *   query (joining the customer's country today) would count them; a charge whose customer is not there yet (the
 *   mirror may receive it first) counts under '' until the customer arrives, and the reads leave '' out.
 * `charge_days_rebuild(schema, org)` recomputes an org's rows from its charges (`leash insights rebuild`); the
 * facts of the rows already held are computed here.
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror, orgScoped, statementTriggers } from './ledger-and-mirror.ts';

/** The rows a set of charges (`rows`, aliased r) adds: signed by `sign`, country from `target`'s customers. */
const GROUPED = (rows: string, sign: string) => `
  select r.org_id, (r.created_at at time zone 'UTC')::date as day, coalesce(c.country, '') as country, r.method,
         case when r.status = 'failed' then coalesce(r.failure_code, 'card_declined') else '' end as outcome,
         ${sign} * count(*) as attempts, ${sign} * sum(r.amount) as amount
    from ${rows} r
    left join %1$I.customers c on c.org_id = r.org_id and c.id = r.customer_id
   group by 1, 2, 3, 4, 5`;

/**
 * The plpgsql statement adding signed rows (`grouped`, a text expression giving a GROUPED query) into
 * `charge_days`. Run in the trigger function itself: the transition tables are visible there only. A row taken
 * down to zero stays (deleting them would scan the table on every write); the reads leave out groups that add
 * up to nothing.
 */
const APPLY = (grouped: string) => `
    execute format('insert into %1$I.charge_days as d (org_id, day, country, method, outcome, attempts, amount)
                    select org_id, day, country, method, outcome, sum(attempts), sum(amount) from (%2$s) g
                     group by 1, 2, 3, 4, 5
                    on conflict (org_id, day, country, method, outcome)
                    do update set attempts = d.attempts + excluded.attempts, amount = d.amount + excluded.amount',
                   target, ${grouped});`;

/** The charges an update changed in what is counted (`side`: o for the old rows, n for the new). */
const CHANGED = (
  side: 'o' | 'n',
) => `(select ${side}.* from old_rows o join new_rows n on n.org_id = o.org_id and n.id = o.id
         where (o.created_at, o.customer_id, o.method, o.status, o.failure_code, o.amount)
               is distinct from (n.created_at, n.customer_id, n.method, n.status, n.failure_code, n.amount))`;

/** The charges trigger: what the statement inserted, deleted or changed (a refund changes nothing counted). */
const MARK_CHARGES = (base: string) => `
create function "${base}".charge_days_mark() returns trigger language plpgsql as $fn$
declare
  target text := tg_table_schema;
begin
  if tg_op = 'INSERT' then
    ${APPLY(`format($q$${GROUPED('new_rows', '1')}$q$, target)`)}
  elsif tg_op = 'DELETE' then
    ${APPLY(`format($q$${GROUPED('old_rows', '-1')}$q$, target)`)}
  elsif exists (select from old_rows o join new_rows n on n.org_id = o.org_id and n.id = o.id
                 where (o.created_at, o.customer_id, o.method, o.status, o.failure_code, o.amount)
                       is distinct from (n.created_at, n.customer_id, n.method, n.status, n.failure_code, n.amount)) then
    ${APPLY(`format($q$${GROUPED(CHANGED('o'), '-1')} union all ${GROUPED(CHANGED('n'), '1')}$q$, target)`)}
  end if;
  return null;
end
$fn$`;

/**
 * The customers trigger: a customer whose country changed (or who arrived after their charges, or left) has
 * their charges moved from the old country to the new one.
 */
const MARK_CUSTOMERS = (base: string) => `
create function "${base}".charge_days_move() returns trigger language plpgsql as $fn$
declare
  target text := tg_table_schema;
  moved text;
begin
  if tg_op = 'INSERT' then
    moved := 'select org_id, id, '''' as old_country, country as new_country from new_rows';
  elsif tg_op = 'DELETE' then
    moved := 'select org_id, id, country as old_country, '''' as new_country from old_rows';
  elsif exists (select from old_rows o join new_rows n on n.org_id = o.org_id and n.id = o.id
                 where o.country is distinct from n.country) then
    moved := 'select n.org_id, n.id, o.country as old_country, n.country as new_country
                from old_rows o join new_rows n on n.org_id = o.org_id and n.id = o.id
               where o.country is distinct from n.country';
  else
    return null;
  end if;
  ${APPLY(`format($q$
    select ch.org_id, (ch.created_at at time zone 'UTC')::date as day, coalesce(m.old_country, '') as country, ch.method,
           case when ch.status = 'failed' then coalesce(ch.failure_code, 'card_declined') else '' end as outcome,
           -count(*) as attempts, -sum(ch.amount) as amount
      from (%2$s) m join %1$I.charges ch on ch.org_id = m.org_id and ch.customer_id = m.id
     group by 1, 2, 3, 4, 5
    union all
    select ch.org_id, (ch.created_at at time zone 'UTC')::date, coalesce(m.new_country, ''), ch.method,
           case when ch.status = 'failed' then coalesce(ch.failure_code, 'card_declined') else '' end,
           count(*), sum(ch.amount)
      from (%2$s) m join %1$I.charges ch on ch.org_id = m.org_id and ch.customer_id = m.id
     group by 1, 2, 3, 4, 5$q$, target, moved)`)}
  return null;
end
$fn$`;

/** Recomputes one org's rows from its charges. */
const REBUILD = (base: string) => `
create function "${base}".charge_days_rebuild(target text, p_org text) returns void language plpgsql as $fn$
begin
  execute format('delete from %1$I.charge_days where org_id = $1', target) using p_org;
  ${APPLY(`format($q$${GROUPED('(select * from %1$I.charges where org_id = %2$L)', '1')}$q$, target, p_org)`)}
end
$fn$`;

/** The table, its security, the facts of the charges held, and the triggers, in one schema. */
function factTable(schema: string, base: string): string[] {
  const t = (name: string) => `"${schema}".${name}`;
  const statements = [
    `create table ${t('charge_days')} (
       org_id text not null, day date not null, country text not null, method text not null, outcome text not null,
       attempts bigint not null, amount bigint not null,
       primary key (org_id, day, country, method, outcome))`,
    ...orgScoped(t('charge_days')),
    // The facts of the charges already held.
    `insert into ${t('charge_days')} (org_id, day, country, method, outcome, attempts, amount)
     ${GROUPED(t('charges'), '1').replaceAll('%1$I', `"${schema}"`)}`,
  ];
  statements.push(
    ...statementTriggers('charge_days', t('charges'), ['insert', 'update', 'delete'], `"${base}".charge_days_mark`),
    ...statementTriggers('charge_days', t('customers'), ['insert', 'update', 'delete'], `"${base}".charge_days_move`),
  );
  return statements;
}

/** Creates the daily payment-attempt facts in the ledger's schema and the mirror's, and starts keeping them. */
export function up(db: Kysely<unknown>): Promise<void> {
  return migrateLedgerAndMirror(db, (base) => [MARK_CHARGES(base), MARK_CUSTOMERS(base), REBUILD(base)], factTable);
}
