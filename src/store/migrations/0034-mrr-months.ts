/**
 * MRR movements by month, kept as the MRR changes are (issue 21): `mrr_months` holds, per org, currency and
 * calendar month (UTC), the sums the movements insight reports (new, reactivation, expansion, contraction,
 * churn) and the net change. At 100k customers an org has a few hundred thousand `mrr_changes` rows; the MRR at
 * an instant and a year of movements read about 25 month rows and the changes of the partial months at the
 * window's edges instead.
 *
 * Kept by statement triggers with transition tables on `mrr_changes` (which `mrr_refresh` deletes and inserts
 * whenever a billing write changes a customer's MRR), in the ledger's schema and the Stripe mirror's, in the same
 * transaction: inserted changes are added, deleted ones taken away, an update does both. A row added up to zero
 * stays (the reads add zero). The month rows are updated in key order, so two writers touching the same months
 * wait for each other instead of deadlocking. `mrr_months_rebuild(schema, org)` recomputes an org's rows from its
 * changes (`leash insights rebuild`).
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror, orgScoped, statementTriggers } from './ledger-and-mirror.ts';

/** The month rows a set of changes (`rows`, aliased r) adds, signed by `sign`. */
const GROUPED = (rows: string, sign: string) => `
  select r.org_id, r.currency, date_trunc('month', r.at at time zone 'UTC')::date as month,
         ${sign} * sum(case when r.before = 0 and not r.had_before then r.after else 0 end) as new,
         ${sign} * sum(case when r.before = 0 and r.had_before then r.after else 0 end) as reactivation,
         ${sign} * sum(case when r.before > 0 and r.after > r.before then r.after - r.before else 0 end) as expansion,
         ${sign} * sum(case when r.before > 0 and r.after > 0 and r.after < r.before then r.before - r.after else 0 end)
           as contraction,
         ${sign} * sum(case when r.before > 0 and r.after = 0 then r.before else 0 end) as churn,
         ${sign} * sum(r.after - r.before) as net
    from ${rows} r
   group by 1, 2, 3`;

/** The plpgsql statement adding signed month rows (`grouped`, a text expression giving GROUPED queries). */
const APPLY = (grouped: string) => `
    execute format('insert into %1$I.mrr_months as m
                      (org_id, currency, month, new, reactivation, expansion, contraction, churn, net)
                    select org_id, currency, month, sum(new), sum(reactivation), sum(expansion), sum(contraction),
                           sum(churn), sum(net)
                      from (%2$s) g
                     group by 1, 2, 3
                     order by 1, 2, 3
                    on conflict (org_id, currency, month) do update
                       set new = m.new + excluded.new, reactivation = m.reactivation + excluded.reactivation,
                           expansion = m.expansion + excluded.expansion,
                           contraction = m.contraction + excluded.contraction,
                           churn = m.churn + excluded.churn, net = m.net + excluded.net',
                   target, ${grouped});`;

const MARK = (base: string) => `
create function "${base}".mrr_months_mark() returns trigger language plpgsql as $fn$
declare
  target text := tg_table_schema;
begin
  if tg_op = 'INSERT' then
    ${APPLY(`format($q$${GROUPED('new_rows', '1')}$q$, target)`)}
  elsif tg_op = 'DELETE' then
    ${APPLY(`format($q$${GROUPED('old_rows', '-1')}$q$, target)`)}
  else
    ${APPLY(`format($q$${GROUPED('old_rows', '-1')} union all ${GROUPED('new_rows', '1')}$q$, target)`)}
  end if;
  return null;
end
$fn$`;

/** Recomputes one org's rows from its changes. */
const REBUILD = (base: string) => `
create function "${base}".mrr_months_rebuild(target text, p_org text) returns void language plpgsql as $fn$
begin
  execute format('delete from %1$I.mrr_months where org_id = $1', target) using p_org;
  ${APPLY(`format($q$${GROUPED('(select * from %1$I.mrr_changes where org_id = %2$L)', '1')}$q$, target, p_org)`)}
end
$fn$`;

/** The table, its security, the months of the changes held, and the triggers, in one schema. */
function monthTable(schema: string, base: string): string[] {
  const t = (name: string) => `"${schema}".${name}`;
  return [
    `create table ${t('mrr_months')} (
       org_id text not null, currency text not null, month date not null,
       new bigint not null, reactivation bigint not null, expansion bigint not null, contraction bigint not null,
       churn bigint not null, net bigint not null,
       primary key (org_id, currency, month))`,
    ...orgScoped(t('mrr_months')),
    `insert into ${t('mrr_months')} (org_id, currency, month, new, reactivation, expansion, contraction, churn, net)
     ${GROUPED(t('mrr_changes'), '1')}`,
    ...statementTriggers('mrr_months', t('mrr_changes'), ['insert', 'update', 'delete'], `"${base}".mrr_months_mark`),
  ];
}

/** Creates the monthly MRR movements in the ledger's schema and the mirror's, and starts keeping them. */
export function up(db: Kysely<unknown>): Promise<void> {
  return migrateLedgerAndMirror(db, (base) => [MARK(base), REBUILD(base)], monthTable);
}
