/**
 * Revenue analytics over the ledger, in SQL (one query each, same text on PGlite and PostgreSQL).
 *
 * MRR follows ChartMogul's published method, derived from invoices the way ChartMogul imports them: every
 * invoice line of a recurring, licensed price contributes its monthly-normalised amount (annual ÷ 12), after
 * the invoice's discount and before tax, for its service period. Proration lines contribute the full monthly
 * amount of their price with their sign, so an upgrade mid-period moves MRR on the day it happens. Metered
 * usage, one-off lines and tax are not MRR; void and draft invoices do not count; a subscription that ends
 * early stops contributing when it ends.
 *
 * A customer's MRR at instant T is max(0, Σ lines with start < T ≤ end). Movements are the changes of each
 * customer's MRR at the instants it changes: from zero is new (or reactivation when the customer had MRR
 * before), to zero is churn, otherwise expansion or contraction. So MRR(T₂) = MRR(T₁) + movements in
 * [T₁, T₂) holds exactly, in integers.
 *
 * The insight reads (`mrrAt`, `mrrMovements`, `expansionByCustomer`, `involuntaryChurn`) read the MRR facts kept
 * at write time (migration 0028, ADR 0026: `mrr_changes`, `mrr_lines`); the `…FromLines` versions compute the
 * same answers from every invoice line, as the facts are defined, and a test holds the two equal.
 *
 * Result columns come back camel-cased (the store's Kysely CamelCasePlugin).
 */
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Currency } from '../../domain/money.ts';
import type { Database } from '../../store/schema.ts';
import type {
  CustomerExpansion,
  InvoluntaryChurnRow,
  LimitUsage,
  MrrMovementMonth,
  OverdueCustomer,
} from '../connector.ts';
import { asAnalytics } from './analytics-session.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** The every-line queries: JIT off and room to hash and aggregate in memory (analytics-session.ts). */
const withWorkMem = <T>(executor: Executor, query: (executor: Executor) => Promise<T>) =>
  asAnalytics(executor, query, { workMem: '128MB' });

/**
 * The monthly amount of invoice line `l` (of invoice `i`, price `p`): a proration line counts its price's full
 * amount with its sign; the invoice's discount is shared pro rata; annual prices are divided by 12.
 */
const LINE_MRR = sql`round(
  (case when l.proration
        then sign(l.amount) * (case when p.scheme = 'flat' then p.unit_amount * greatest(1, l.quantity)
                                    else p.unit_amount * l.quantity end)
        else l.amount end)
  * (case when i.subtotal > 0 then (i.subtotal - i.discount)::numeric / i.subtotal else 1 end)
  / (case when p.interval = 'year' then 12 else 1 end))`;

/** Each recurring licensed line of the org's invoices in one currency: customer, service period, MRR. */
function mrrLines(orgId: string, currency: Currency): RawBuilder<unknown> {
  return sql`
    select i.customer_id,
           l.period_start as starts,
           case when s.ended_at is not null and s.ended_at < l.period_end then s.ended_at else l.period_end end as ends,
           ${LINE_MRR} as mrr
      from invoice_lines l
      join invoices i on i.id = l.invoice_id and i.org_id = ${orgId}
      join prices p on p.id = l.price_id and p.org_id = ${orgId}
      join subscriptions s on s.id = i.subscription_id and s.org_id = ${orgId}
     where l.org_id = ${orgId}
       and i.currency = ${currency}
       and i.status in ('open', 'paid', 'uncollectible')
       and p.interval is not null
       and p.usage_metric is null
       and l.period_start is not null
       and l.period_end is not null`;
}

/**
 * Every change of a customer's MRR before `until`, with the MRR before and after and whether the customer
 * had MRR at any earlier change (which makes a return a reactivation rather than new business).
 */
function mrrChanges(orgId: string, currency: Currency, until: Date): RawBuilder<unknown> {
  return sql`
    with lines as (${mrrLines(orgId, currency)}),
    events as (
      select customer_id, starts as at, mrr as delta from lines where starts < ends
      union all
      select customer_id, ends as at, -mrr as delta from lines where starts < ends
    ),
    points as (
      -- A renewal ends one line and starts the next at the same instant: their deltas cancel. Dropping the
      -- points that change nothing leaves running totals and earlier maxima as they were, and most rows out.
      select customer_id, at, sum(delta) as delta from events where at < ${until} group by customer_id, at
      having sum(delta) <> 0
    ),
    running as (
      select customer_id, at, delta,
             sum(delta) over (partition by customer_id order by at rows between unbounded preceding and current row) as total
        from points
    ),
    marked as (
      select customer_id, at,
             greatest(total - delta, 0) as before,
             greatest(total, 0) as after,
             coalesce(max(total) over (partition by customer_id order by at
                                       rows between unbounded preceding and 1 preceding), 0) > 0 as had_before
        from running
    )
    select * from marked where before <> after`;
}

/** The currencies the org's customers are billed in, most customers first. */
export async function customerCurrencies(
  executor: Executor,
  orgId: string,
): Promise<{ currency: Currency; customers: number }[]> {
  const rows = await executor
    .selectFrom('customers')
    .select(['currency', (eb) => eb.fn.countAll<string | number>().as('customers')])
    .where('orgId', '=', orgId)
    .where('deletedAt', 'is', null)
    .groupBy('currency')
    .orderBy('customers', 'desc')
    .orderBy('currency')
    .execute();
  return rows.map((row) => ({ currency: row.currency as Currency, customers: Number(row.customers) }));
}

/** Reference: the org's MRR in one currency at `at`, read from every line (the facts' test holds them equal). */
export async function mrrAtFromLines(executor: Executor, orgId: string, currency: Currency, at: Date): Promise<number> {
  const result = await withWorkMem(executor, (trx) =>
    sql<{ mrr: number | string | null }>`
    select coalesce(sum(greatest(mrr, 0)), 0)::float8 as mrr
      from (select customer_id, sum(mrr) as mrr
              from (${mrrLines(orgId, currency)}) lines
             where starts < ends and starts < ${at} and ends >= ${at}
             group by customer_id) per_customer`.execute(trx),
  );
  return Number(result.rows[0]?.mrr ?? 0);
}

/** Reference: MRR movements by month, read from every line (the facts' test holds them equal). */
export async function mrrMovementsFromLines(
  executor: Executor,
  orgId: string,
  currency: Currency,
  from: Date,
  until: Date,
): Promise<MrrMovementMonth[]> {
  const result = await withWorkMem(executor, (trx) =>
    sql<Record<keyof MrrMovementMonth, string | number>>`
    select to_char(at at time zone 'UTC', 'YYYY-MM') as month,
           sum(case when before = 0 and not had_before then after else 0 end)::float8 as new,
           sum(case when before = 0 and had_before then after else 0 end)::float8 as reactivation,
           sum(case when before > 0 and after > before then after - before else 0 end)::float8 as expansion,
           sum(case when before > 0 and after > 0 and after < before then before - after else 0 end)::float8 as contraction,
           sum(case when before > 0 and after = 0 then before else 0 end)::float8 as churn
      from (${mrrChanges(orgId, currency, until)}) changes
     where at >= ${from}
     group by 1
     order by 1`.execute(trx),
  );
  return result.rows.map((row) => ({
    month: String(row.month),
    new: Number(row.new),
    expansion: Number(row.expansion),
    contraction: Number(row.contraction),
    churn: Number(row.churn),
    reactivation: Number(row.reactivation),
  }));
}

/** Reference: customers by expansion, read from every line (the facts' test holds them equal). */
export async function expansionFromLines(
  executor: Executor,
  orgId: string,
  currency: Currency,
  from: Date,
  until: Date,
  limit: number,
): Promise<CustomerExpansion[]> {
  const result = await withWorkMem(executor, (trx) =>
    sql<{ customerId: string; expansion: string | number; contraction: string | number }>`
    select customer_id,
           sum(case when before > 0 and after > before then after - before else 0 end)::float8 as expansion,
           sum(case when before > 0 and after > 0 and after < before then before - after else 0 end)::float8 as contraction
      from (${mrrChanges(orgId, currency, until)}) changes
     where at >= ${from}
     group by customer_id
    having sum(case when before > 0 and after > before then after - before else 0 end) > 0
     order by 2 desc, customer_id
     limit ${limit}`.execute(trx),
  );
  return result.rows.map((row) => ({
    customerId: row.customerId,
    expansion: Number(row.expansion),
    contraction: Number(row.contraction),
  }));
}

/** Reference: involuntary churn read from every line (the facts' test holds them equal). */
export async function involuntaryChurnFromLines(
  executor: Executor,
  orgId: string,
  from: Date,
  until: Date,
): Promise<InvoluntaryChurnRow[]> {
  const result = await sql<{
    subscriptionId: string;
    customerId: string;
    endedAt: Date | string;
    currency: string;
    mrr: string | number;
  }>`
    select s.id as subscription_id, s.customer_id, s.ended_at, s.currency,
           coalesce((
             select sum(${LINE_MRR})
               from invoices i
               join invoice_lines l on l.invoice_id = i.id and l.org_id = ${orgId}
               join prices p on p.id = l.price_id and p.org_id = ${orgId}
              where i.org_id = ${orgId} and i.subscription_id = s.id
                and i.status in ('open', 'paid', 'uncollectible')
                and p.interval is not null and p.usage_metric is null
                and l.period_start < s.ended_at and l.period_end >= s.ended_at
           ), 0)::float8 as mrr
      from subscriptions s
     where s.org_id = ${orgId}
       and s.cancellation_reason = 'payment_failed'
       and s.ended_at >= ${from}
       and s.ended_at < ${until}
     order by s.ended_at, s.id`.execute(executor);
  return result.rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    customerId: row.customerId,
    endedAt: new Date(row.endedAt),
    currency: row.currency as Currency,
    mrr: Math.max(0, Number(row.mrr)),
  }));
}

/**
 * The start of the period `back` periods before a subscription's current one (`s` in scope), counted from its
 * billing anchor as renewals are: the anchor plus whole months (twelve for a yearly period), clamped to the
 * month's last day, in UTC (src/connectors/ledger/engine/periods.ts does the same).
 */
function periodStartBefore(back: number): RawBuilder<Date> {
  return sql<Date>`((s.billing_anchor at time zone 'UTC')
      + make_interval(months => (
          (extract(year from s.current_period_start at time zone 'UTC') - extract(year from s.billing_anchor at time zone 'UTC')) * 12
          + extract(month from s.current_period_start at time zone 'UTC') - extract(month from s.billing_anchor at time zone 'UTC')
        )::int - ${back}::int * (case when s.current_period_end - s.current_period_start > interval '200 days' then 12 else 1 end)
      )) at time zone 'UTC'`;
}

/**
 * Usage against plan limits of live subscriptions, in the current period (`periodsBack` 0, or `previous` false)
 * or one before it (1 = the previous period, 2 = the one before that…).
 */
export async function usageAgainstLimits(
  executor: Executor,
  orgId: string,
  input: { customerId?: string; previous: boolean; periodsBack?: number; minShare: number; limit: number },
): Promise<LimitUsage[]> {
  const back = Math.max(0, Math.floor(input.periodsBack ?? (input.previous ? 1 : 0)));
  const from = back === 0 ? sql`s.current_period_start` : periodStartBefore(back);
  const until =
    back === 0 ? sql`s.current_period_end` : back === 1 ? sql`s.current_period_start` : periodStartBefore(back - 1);
  const result = await sql<{
    subscriptionId: string;
    customerId: string;
    product: string;
    limitKey: string;
    used: string | number;
    allowed: string | number;
  }>`
    with used as (
      select s.id as subscription_id, s.customer_id,
             case when u.metric like '%\_thousands' then left(u.metric, -10) else u.metric end as limit_key,
             sum(u.quantity * case when u.metric like '%\_thousands' then 1000 else 1 end) as used
        from usage_records u
        join subscriptions s on s.id = u.subscription_id and s.org_id = ${orgId}
       where u.org_id = ${orgId}
         and s.status in ('trialing', 'active', 'past_due')
         ${input.customerId ? sql`and s.customer_id = ${input.customerId}` : sql``}
         and u.timestamp >= ${from}
         and u.timestamp < ${until}
       group by 1, 2, 3
    )
    select used.subscription_id, used.customer_id, pr.name as product, used.limit_key,
           used.used::float8 as used, (pr.limits ->> used.limit_key)::float8 as allowed
      from used
      join subscription_items si on si.subscription_id = used.subscription_id and si.org_id = ${orgId}
      join prices p on p.id = si.price_id and p.org_id = ${orgId}
      join products pr on pr.id = p.product_id and pr.org_id = ${orgId}
     where jsonb_typeof(pr.limits -> used.limit_key) = 'number'
       and (pr.limits ->> used.limit_key)::float8 > 0
       and used.used >= ${input.minShare} * (pr.limits ->> used.limit_key)::float8
     order by used.used / (pr.limits ->> used.limit_key)::float8 desc, used.subscription_id
     limit ${input.limit}`.execute(executor);
  return result.rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    customerId: row.customerId,
    product: row.product,
    limit: row.limitKey,
    used: Number(row.used),
    allowed: Number(row.allowed),
  }));
}

/** Open invoices past due at `at`, totalled per customer and currency, most owed first. */
export async function overdueByCustomer(
  executor: Executor,
  orgId: string,
  at: Date,
  limit: number,
): Promise<OverdueCustomer[]> {
  const result = await sql<{
    customerId: string;
    name: string;
    currency: string;
    invoices: string | number;
    amount: string | number;
    oldestDue: Date | string;
    over30: string | number;
    over60: string | number;
    over90: string | number;
  }>`
    select i.customer_id, c.name, i.currency,
           count(*)::int as invoices,
           sum(i.amount_remaining)::float8 as amount,
           min(i.due_date) as oldest_due,
           sum(case when i.due_date < ${at}::timestamptz - interval '30 days' then i.amount_remaining else 0 end)::float8 as over_30,
           sum(case when i.due_date < ${at}::timestamptz - interval '60 days' then i.amount_remaining else 0 end)::float8 as over_60,
           sum(case when i.due_date < ${at}::timestamptz - interval '90 days' then i.amount_remaining else 0 end)::float8 as over_90
      from invoices i
      join customers c on c.id = i.customer_id and c.org_id = ${orgId}
     where i.org_id = ${orgId} and i.status = 'open' and i.due_date < ${at} and i.amount_remaining > 0
     group by i.customer_id, c.name, i.currency
     order by sum(i.amount_remaining) desc, i.customer_id
     limit ${limit}`.execute(executor);
  return result.rows.map((row) => ({
    customerId: row.customerId,
    name: row.name,
    currency: row.currency as Currency,
    invoices: Number(row.invoices),
    amount: Number(row.amount),
    oldestDueDate: new Date(row.oldestDue),
    over30: Number(row.over30),
    over60: Number(row.over60),
    over90: Number(row.over90),
  }));
}

/** A UTC day as `YYYY-MM-DD`, to compare with a `date` column whatever the process's time zone. */
function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first instant of `at`'s calendar month (UTC), or of the month `months` later. */
function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/** `at` when it starts a calendar month (UTC), else the start of the next month. */
function nextMonthStart(at: Date): Date {
  return monthStart(at).getTime() === at.getTime() ? at : monthStart(at, 1);
}

/**
 * The org's MRR in one currency at instant `at` (lines with start < at ≤ end), from the kept changes: each
 * customer's changes before `at` add up to its MRR then (the first starts from zero), so the sum of
 * after − before over them is the org's. Whole months come from `mrr_months` (migration 0034), the part of
 * `at`'s month before it from the changes.
 */
export async function mrrAt(executor: Executor, orgId: string, currency: Currency, at: Date): Promise<number> {
  const month = monthStart(at);
  const result = await sql<{ mrr: number | string | null }>`
    select (coalesce((select sum(net) from mrr_months
                       where org_id = ${orgId} and currency = ${currency} and month < ${utcDay(month)}::date), 0)
          + coalesce((select sum(after - before) from mrr_changes
                       where org_id = ${orgId} and currency = ${currency} and at >= ${month} and at < ${at}), 0)
           )::float8 as mrr`.execute(executor);
  return Number(result.rows[0]?.mrr ?? 0);
}

/**
 * MRR movements by calendar month (UTC) for changes in [from, until), in minor units: the months wholly inside
 * the window from `mrr_months`, the partial months at its edges from the kept changes.
 */
export async function mrrMovements(
  executor: Executor,
  orgId: string,
  currency: Currency,
  from: Date,
  until: Date,
): Promise<MrrMovementMonth[]> {
  // Whole months are [wholeFrom, wholeUntil); empty when the window holds no whole month.
  const wholeFrom = nextMonthStart(from);
  const wholeUntil = monthStart(until) > wholeFrom ? monthStart(until) : wholeFrom;
  const result = await sql<Record<keyof MrrMovementMonth, string | number>>`
    select month, sum(new)::float8 as new, sum(reactivation)::float8 as reactivation,
           sum(expansion)::float8 as expansion, sum(contraction)::float8 as contraction, sum(churn)::float8 as churn
      from (
        select to_char(month, 'YYYY-MM') as month, new, reactivation, expansion, contraction, churn
          from mrr_months
         where org_id = ${orgId} and currency = ${currency}
           and month >= ${utcDay(wholeFrom)}::date and month < ${utcDay(wholeUntil)}::date
        union all
        select to_char(at at time zone 'UTC', 'YYYY-MM'),
               case when before = 0 and not had_before then after else 0 end,
               case when before = 0 and had_before then after else 0 end,
               case when before > 0 and after > before then after - before else 0 end,
               case when before > 0 and after > 0 and after < before then before - after else 0 end,
               case when before > 0 and after = 0 then before else 0 end
          from mrr_changes
         where org_id = ${orgId} and currency = ${currency} and at >= ${from} and at < ${until}
           and not (at >= ${wholeFrom} and at < ${wholeUntil})
      ) movements
     group by month
    having sum(new) + sum(reactivation) + sum(expansion) + sum(contraction) + sum(churn) <> 0
     order by month`.execute(executor);
  return result.rows.map((row) => ({
    month: String(row.month),
    new: Number(row.new),
    expansion: Number(row.expansion),
    contraction: Number(row.contraction),
    churn: Number(row.churn),
    reactivation: Number(row.reactivation),
  }));
}

/** Customers by net expansion in [from, until), largest first, from the kept changes. */
export async function expansionByCustomer(
  executor: Executor,
  orgId: string,
  currency: Currency,
  from: Date,
  until: Date,
  limit: number,
): Promise<CustomerExpansion[]> {
  const result = await sql<{ customerId: string; expansion: string | number; contraction: string | number }>`
    select customer_id,
           sum(case when after > before then after - before else 0 end)::float8 as expansion,
           sum(case when after > 0 and after < before then before - after else 0 end)::float8 as contraction
      from mrr_changes
     where org_id = ${orgId} and currency = ${currency} and at >= ${from} and at < ${until} and before > 0
     group by customer_id
    having sum(case when after > before then after - before else 0 end) > 0
     order by 2 desc, customer_id
     limit ${limit}`.execute(executor);
  return result.rows.map((row) => ({
    customerId: row.customerId,
    expansion: Number(row.expansion),
    contraction: Number(row.contraction),
  }));
}

/**
 * Subscriptions that ended in [from, until) because payment failed, with the MRR they carried when they ended
 * (the kept lines of the subscription that were billed over its end).
 */
export async function involuntaryChurn(
  executor: Executor,
  orgId: string,
  from: Date,
  until: Date,
): Promise<InvoluntaryChurnRow[]> {
  const result = await sql<{
    subscriptionId: string;
    customerId: string;
    endedAt: Date | string;
    currency: string;
    mrr: string | number;
  }>`
    select s.id as subscription_id, s.customer_id, s.ended_at, s.currency,
           coalesce((
             select sum(f.mrr)
               from mrr_lines f
              where f.org_id = ${orgId} and f.subscription_id = s.id
                and f.starts < s.ended_at and f.period_end >= s.ended_at
           ), 0)::float8 as mrr
      from subscriptions s
     where s.org_id = ${orgId}
       and s.cancellation_reason = 'payment_failed'
       and s.ended_at >= ${from}
       and s.ended_at < ${until}
     order by s.ended_at, s.id`.execute(executor);
  return result.rows.map((row) => ({
    subscriptionId: row.subscriptionId,
    customerId: row.customerId,
    endedAt: new Date(row.endedAt),
    currency: row.currency as Currency,
    mrr: Math.max(0, Number(row.mrr)),
  }));
}
