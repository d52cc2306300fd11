/**
 * MRR facts kept as billing happens (issue 21, ADR 0026). Two derived tables beside the billing tables, in the
 * ledger's schema and in the Stripe mirror's (`<schema>_stripe`), so the insight reads find them first on the
 * mirror's search path exactly as they find its invoices:
 *
 * * `mrr_lines`: each invoice line that is MRR (docs/insights.md) with its customer, currency, subscription,
 *   service period (`ends` cut at the subscription's end, `period_end` as billed) and monthly amount.
 * * `mrr_changes`: every instant a customer's MRR in a currency changes, with the MRR before and after and
 *   whether the customer had MRR earlier: what movements, top expansion and MRR at an instant add up.
 *
 * They are written in the same transaction as the billing write that changes their inputs, whoever writes
 * (ledger engine, demo writer, Stripe mirror, a hand-run statement): statement triggers on invoices,
 * invoice_lines, subscriptions and prices note the customers touched in `mrr_dirty`; a deferred constraint
 * trigger recomputes those customers' facts from their invoices at commit and empties it. `mrr_refresh(schema)`
 * is that recomputation; `leash insights rebuild` marks customers and calls it. The facts of the data already
 * held are computed here.
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror, orgScoped, statementTriggers } from './ledger-and-mirror.ts';

/**
 * The monthly amount of invoice line `l` (of invoice `i`, price `p`): a proration line counts its price's full
 * amount with its sign; the invoice's discount is shared pro rata; annual prices are divided by 12. The same
 * expression as the line-reading queries of connectors/ledger/revenue-analytics.ts (a test holds them equal).
 */
const LINE_MRR = `round(
  (case when l.proration
        then sign(l.amount) * (case when p.scheme = 'flat' then p.unit_amount * greatest(1, l.quantity)
                                    else p.unit_amount * l.quantity end)
        else l.amount end)
  * (case when i.subtotal > 0 then (i.subtotal - i.discount)::numeric / i.subtotal else 1 end)
  / (case when p.interval = 'year' then 12 else 1 end))`;

const ENDS = `case when s.ended_at is not null and s.ended_at < l.period_end then s.ended_at else l.period_end end`;

/** Recomputes the facts of every customer in `<schema>.mrr_dirty` (visible to this transaction), then empties it. */
const REFRESH = (base: string) => `
create function "${base}".mrr_refresh(target text) returns void language plpgsql as $fn$
begin
  execute format('delete from %1$I.mrr_lines f using %1$I.mrr_dirty d
                   where f.org_id = d.org_id and f.customer_id = d.customer_id', target);
  execute format('delete from %1$I.mrr_changes f using %1$I.mrr_dirty d
                   where f.org_id = d.org_id and f.customer_id = d.customer_id', target);
  execute format($q$
    insert into %1$I.mrr_lines (org_id, line_id, customer_id, currency, subscription_id, starts, ends, period_end, mrr)
    with i as materialized (
      -- The noted customers' invoices first: joined on the org alone, unanalysed tables made a cross product.
      select i.id, i.org_id, i.customer_id, i.currency, i.subscription_id, i.subtotal, i.discount
        from %1$I.mrr_dirty d
        join %1$I.invoices i on i.org_id = d.org_id and i.customer_id = d.customer_id
       where i.status in ('open', 'paid', 'uncollectible')
    )
    select l.org_id, l.id, i.customer_id, i.currency, i.subscription_id, l.period_start, ${ENDS}, l.period_end,
           ${LINE_MRR}
      from i
      join %1$I.invoice_lines l on l.invoice_id = i.id
      join %1$I.prices p on p.id = l.price_id
      join %1$I.subscriptions s on s.id = i.subscription_id
     where l.org_id = i.org_id
       and p.org_id = i.org_id
       and s.org_id = i.org_id
       and p.interval is not null
       and p.usage_metric is null
       and l.period_start is not null
       and l.period_end is not null
       and l.period_start < ${ENDS}$q$, target);
  execute format($q$
    insert into %1$I.mrr_changes (org_id, customer_id, currency, at, before, after, had_before)
    with events as (
      select f.org_id, f.customer_id, f.currency, f.starts as at, f.mrr as delta
        from %1$I.mrr_lines f join %1$I.mrr_dirty d on d.org_id = f.org_id and d.customer_id = f.customer_id
      union all
      select f.org_id, f.customer_id, f.currency, f.ends as at, -f.mrr as delta
        from %1$I.mrr_lines f join %1$I.mrr_dirty d on d.org_id = f.org_id and d.customer_id = f.customer_id
    ),
    points as (
      select org_id, customer_id, currency, at, sum(delta) as delta
        from events group by org_id, customer_id, currency, at having sum(delta) <> 0
    ),
    running as (
      select org_id, customer_id, currency, at, delta,
             sum(delta) over (partition by org_id, customer_id, currency order by at
                              rows between unbounded preceding and current row) as total
        from points
    ),
    marked as (
      select org_id, customer_id, currency, at,
             greatest(total - delta, 0) as before,
             greatest(total, 0) as after,
             coalesce(max(total) over (partition by org_id, customer_id, currency order by at
                                       rows between unbounded preceding and 1 preceding), 0) > 0 as had_before
        from running
    )
    select org_id, customer_id, currency, at, before, after, had_before from marked where before <> after$q$, target);
  execute format('delete from %1$I.mrr_dirty', target);
end
$fn$`;

/** At commit: the first noted customer still waiting recomputes everything noted (the rest find nothing). */
const FLUSH = (base: string) => `
create function "${base}".mrr_flush() returns trigger language plpgsql as $fn$
declare
  waiting boolean;
begin
  execute format('select exists (select 1 from %I.mrr_dirty where org_id = $1 and customer_id = $2)', tg_table_schema)
    into waiting using new.org_id, new.customer_id;
  if waiting then
    perform "${base}".mrr_refresh(tg_table_schema);
  end if;
  return null;
end
$fn$`;

/**
 * Notes the customers a statement touched. Invoice updates count only when they change what MRR reads (whether
 * the invoice counts, its discount, subtotal, currency, customer or subscription): a payment notes nobody.
 */
const MARK = (base: string) => `
create function "${base}".mrr_mark() returns trigger language plpgsql as $fn$
declare
  target text := tg_table_schema;
  touched text;
begin
  if tg_table_name = 'invoices' then
    if tg_op = 'INSERT' then
      touched := 'select org_id, customer_id from new_rows';
    elsif tg_op = 'DELETE' then
      touched := 'select org_id, customer_id from old_rows';
    else
      touched := 'select n.org_id, n.customer_id from new_rows n join old_rows o on o.org_id = n.org_id and o.id = n.id
                   where (n.status in (''open'', ''paid'', ''uncollectible''), n.subtotal, n.discount, n.currency,
                          n.customer_id, n.subscription_id)
                         is distinct from
                         (o.status in (''open'', ''paid'', ''uncollectible''), o.subtotal, o.discount, o.currency,
                          o.customer_id, o.subscription_id)
                  union
                  select o.org_id, o.customer_id from new_rows n join old_rows o on o.org_id = n.org_id and o.id = n.id
                   where n.customer_id is distinct from o.customer_id';
    end if;
  elsif tg_table_name = 'invoice_lines' then
    touched := format('select i.org_id, i.customer_id from %s r join %I.invoices i on i.org_id = r.org_id and i.id = r.invoice_id',
                      case when tg_op = 'DELETE' then 'old_rows' else 'new_rows' end, target);
    if tg_op = 'UPDATE' then
      touched := touched || format(' union select i.org_id, i.customer_id from old_rows r join %I.invoices i
                                      on i.org_id = r.org_id and i.id = r.invoice_id', target);
    end if;
  elsif tg_table_name = 'subscriptions' then
    if tg_op = 'INSERT' then
      touched := 'select org_id, customer_id from new_rows';
    elsif tg_op = 'DELETE' then
      touched := 'select org_id, customer_id from old_rows';
    else
      touched := 'select n.org_id, n.customer_id from new_rows n join old_rows o on o.org_id = n.org_id and o.id = n.id
                   where (n.ended_at, n.customer_id) is distinct from (o.ended_at, o.customer_id)
                  union
                  select o.org_id, o.customer_id from new_rows n join old_rows o on o.org_id = n.org_id and o.id = n.id
                   where n.customer_id is distinct from o.customer_id';
    end if;
  else
    -- prices: a line counts only once its price is known (the mirror may hold lines before their price).
    touched := format('select i.org_id, i.customer_id
                         from %I.invoice_lines l
                         join %I.invoices i on i.org_id = l.org_id and i.id = l.invoice_id
                        where (l.org_id, l.price_id) in (%s)',
                      target, target,
                      case when tg_op = 'INSERT' then 'select org_id, id from new_rows'
                           else 'select n.org_id, n.id from new_rows n join old_rows o on o.org_id = n.org_id and o.id = n.id
                                  where (n.scheme, n.unit_amount, n.interval, n.usage_metric)
                                        is distinct from (o.scheme, o.unit_amount, o.interval, o.usage_metric)' end);
  end if;
  execute format('insert into %I.mrr_dirty (org_id, customer_id) select distinct org_id, customer_id from (%s) t
                   where customer_id is not null on conflict do nothing', target, touched);
  return null;
end
$fn$`;

/** Statements creating the fact tables, their security and triggers in one schema (`base`: where the functions are). */
function factTables(schema: string, base: string, mirror: boolean): string[] {
  const t = (name: string) => `"${schema}".${name}`;
  const statements = [
    `create table ${t('mrr_lines')} (
       org_id text not null, line_id text not null, customer_id text not null, currency text not null,
       subscription_id text not null, starts timestamptz not null, ends timestamptz not null,
       period_end timestamptz not null, mrr bigint not null, primary key (org_id, line_id))`,
    `create index on ${t('mrr_lines')} (org_id, customer_id)`,
    `create index on ${t('mrr_lines')} (org_id, subscription_id, starts)`,
    `create table ${t('mrr_changes')} (
       org_id text not null, customer_id text not null, currency text not null, at timestamptz not null,
       before bigint not null, after bigint not null, had_before boolean not null,
       primary key (org_id, customer_id, currency, at))`,
    `create index on ${t('mrr_changes')} (org_id, currency, at) include (customer_id, before, after, had_before)`,
    `create table ${t('mrr_dirty')} (org_id text not null, customer_id text not null, primary key (org_id, customer_id))`,
  ];
  for (const table of ['mrr_lines', 'mrr_changes', 'mrr_dirty']) {
    statements.push(...orgScoped(t(table)));
  }
  // The facts of the rows already held.
  statements.push(
    `insert into ${t('mrr_dirty')} (org_id, customer_id) select distinct org_id, customer_id from ${t('invoices')}`,
    `select "${base}".mrr_refresh('${schema}')`,
  );
  const events: [string, string[]][] = [
    ['invoices', ['insert', 'update', 'delete']],
    ['invoice_lines', ['insert', 'update', 'delete']],
    ['subscriptions', ['insert', 'update', 'delete']],
    // A new ledger price has no lines yet; the mirror may receive a price after the lines that use it.
    ['prices', mirror ? ['insert', 'update'] : ['update']],
  ];
  for (const [table, ops] of events)
    statements.push(...statementTriggers('mrr_mark', t(table), ops, `"${base}".mrr_mark`));
  statements.push(
    `create constraint trigger mrr_flush after insert on ${t('mrr_dirty')} deferrable initially deferred
       for each row execute function "${base}".mrr_flush()`,
  );
  return statements;
}

/** Creates the fact tables in the ledger's schema and the mirror's, computes them, and starts keeping them. */
export function up(db: Kysely<unknown>): Promise<void> {
  return migrateLedgerAndMirror(db, (base) => [REFRESH(base), FLUSH(base), MARK(base)], factTables);
}
