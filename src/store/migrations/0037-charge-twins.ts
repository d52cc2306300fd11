/**
 * Double charges kept as billing happens (issue 21): `charge_twins` holds every pair of succeeded charges of one
 * customer for the same amount and currency at most `TWIN_HOURS` apart: the earlier and the later charge (by
 * time, then id) and both instants. The double-charge insight reads a window of pairs by the later charge's
 * instant, newest first, instead of sorting every charge of the window (about 141k over three months at 100k
 * customers, 250–400 ms on PostgreSQL). A question about charges further apart than `TWIN_HOURS` still reads the
 * charges.
 *
 * Kept in the same transaction as the write, whoever writes (ledger engine, demo writer, Stripe mirror, a
 * hand-run statement), in the ledger's schema and the Stripe mirror's, by statement triggers with transition
 * tables on charges: an inserted succeeded charge is paired with its customer's charges (through the
 * customer's index); a deleted charge's pairs go; an update that changes what pairs a charge (its status,
 * customer, amount, currency or instant) takes its pairs away and pairs it again (a refund changes nothing).
 *
 * Two charges written at once by two transactions (a webhook storm, two clerks) would not see each other, and
 * the pair would be lost exactly when it matters. So the trigger locks, for the transaction, each customer whose
 * charges it pairs (an advisory lock per customer, in key order, under a shared lock on the org), and reads the
 * charges only after it holds them: the second writer waits for the first to commit, then sees its charge. A
 * statement touching more than `CUSTOMER_LOCKS` customers (a bulk import, the demo writer) takes the org's lock
 * exclusively instead of one lock per customer, which keeps the lock table small.
 *
 * `charge_twins_rebuild(schema, org)` recomputes an org's pairs from its charges (`leash insights rebuild`).
 */
import type { Kysely } from 'kysely';
import { migrateLedgerAndMirror, orgScoped, statementTriggers } from './ledger-and-mirror.ts';

/** The longest distance between two charges that the pairs cover, in hours (the insight's default is 72). */
export const TWIN_HOURS = 168;

/** More customers than this in one statement lock the org exclusively instead of each customer. */
const CUSTOMER_LOCKS = 32;

/** Advisory lock classes (two-int form): the org's ('TW', shared by single writers) and a customer's ('TX'). */
const ORG_LOCK = 0x5457;
const CUSTOMER_LOCK = 0x5458;

/**
 * The pairs a set of charges (`rows`, aliased n, succeeded ones only) forms with the charges of `%1$I`; with
 * `laterOnly`, only the pairs in which n is the later charge (each pair once, when `rows` are all the charges).
 */
const PAIRS = (rows: string, laterOnly = false) => `
  select n.org_id, n.customer_id,
         case when (c.created_at, c.id) < (n.created_at, n.id) then c.id else n.id end as earlier_id,
         case when (c.created_at, c.id) < (n.created_at, n.id) then n.id else c.id end as later_id,
         least(c.created_at, n.created_at) as earlier_at, greatest(c.created_at, n.created_at) as later_at
    from ${rows} n
    join %1$I.charges c
      on c.org_id = n.org_id and c.customer_id = n.customer_id
     and c.created_at >= n.created_at - interval ''${TWIN_HOURS} hours''
     and c.created_at <= n.created_at + interval ''${TWIN_HOURS} hours''
     and c.amount = n.amount and c.currency = n.currency and c.status = ''succeeded'' and c.id <> n.id
     ${laterOnly ? 'and (c.created_at, c.id) < (n.created_at, n.id)' : ''}
   where n.status = ''succeeded''`;

/** Adds the pairs of `rows` (a text expression giving a query of charges rows) to `%1$I.charge_twins`. */
const ADD = (rows: string, laterOnly = false) => `
    execute format('insert into %1$I.charge_twins (org_id, customer_id, earlier_id, later_id, earlier_at, later_at)
                    ${PAIRS('(%2$s)', laterOnly)}
                    on conflict do nothing', target, ${rows});`;

/** Takes away every pair one of `rows` (charges, by org and id) is in. */
const REMOVE = (rows: string) => `
    execute format('delete from %1$I.charge_twins t using (%2$s) g where t.org_id = g.org_id and t.later_id = g.id',
                   target, ${rows});
    execute format('delete from %1$I.charge_twins t using (%2$s) g where t.org_id = g.org_id and t.earlier_id = g.id',
                   target, ${rows});`;

/** An update's rows that changed what pairs them (`side`: o for the old rows, n for the new). */
const CHANGED = (side: 'o' | 'n') => `
  select ${side}.* from old_rows o join new_rows n on n.org_id = o.org_id and n.id = o.id
   where (o.created_at, o.customer_id, o.amount, o.currency, o.status)
         is distinct from (n.created_at, n.customer_id, n.amount, n.currency, n.status)`;

/**
 * Locks the customers of `rows` (a text expression giving a query with org_id and customer_id) for the
 * transaction: each customer in key order under a shared lock on its org, or, past `CUSTOMER_LOCKS` customers,
 * the org exclusively.
 */
const LOCK = (rows: string) => `
    execute format('select count(*) from (select distinct org_id, customer_id from (%1$s) r) k', ${rows}) into touched;
    if touched > ${CUSTOMER_LOCKS} then
      execute format('select count(pg_advisory_xact_lock(${ORG_LOCK}, hashtext(org_id)))
                        from (select distinct org_id from (%1$s) r order by 1) k', ${rows});
    elsif touched > 0 then
      execute format('select count(pg_advisory_xact_lock_shared(${ORG_LOCK}, hashtext(org_id)))
                        from (select distinct org_id from (%1$s) r order by 1) k', ${rows});
      execute format('select count(pg_advisory_xact_lock(${CUSTOMER_LOCK}, hashtext(org_id || '':'' || customer_id)))
                        from (select distinct org_id, customer_id from (%1$s) r order by 1, 2) k', ${rows});
    end if;`;

/** The charges trigger. The locks are taken by one statement and the charges read by the next (a new snapshot). */
const MARK = (base: string) => `
create function "${base}".charge_twins_mark() returns trigger language plpgsql as $fn$
declare
  target text := tg_table_schema;
  touched bigint;
begin
  if tg_op = 'INSERT' then
    ${LOCK(`'select org_id, customer_id from new_rows where status = ''succeeded'''`)}
    ${ADD(`'select * from new_rows'`)}
  elsif tg_op = 'DELETE' then
    ${LOCK(`'select org_id, customer_id from old_rows where status = ''succeeded'''`)}
    ${REMOVE(`'select org_id, id from old_rows where status = ''succeeded'''`)}
  else
    ${LOCK(`'select org_id, customer_id from (${CHANGED('o')}) o where status = ''succeeded''
             union all select org_id, customer_id from (${CHANGED('n')}) n where status = ''succeeded'''`)}
    ${REMOVE(`'select org_id, id from (${CHANGED('o')}) o where status = ''succeeded'''`)}
    ${ADD(`'${CHANGED('n')}'`)}
  end if;
  return null;
end
$fn$`;

/** Recomputes one org's pairs from its charges, holding the org's lock. */
const REBUILD = (base: string) => `
create function "${base}".charge_twins_rebuild(target text, p_org text) returns void language plpgsql as $fn$
begin
  perform pg_advisory_xact_lock(${ORG_LOCK}, hashtext(p_org));
  execute format('delete from %1$I.charge_twins where org_id = $1', target) using p_org;
  ${ADD(`format('select * from %1$I.charges where org_id = %2$L', target, p_org)`, true)}
end
$fn$`;

/** The table, its security, the pairs of the charges held, and the triggers, in one schema. */
function twinsTable(schema: string, base: string): string[] {
  const t = (name: string) => `"${schema}".${name}`;
  return [
    `create table ${t('charge_twins')} (
       org_id text not null, customer_id text not null, earlier_id text not null, later_id text not null,
       earlier_at timestamptz not null, later_at timestamptz not null,
       primary key (org_id, later_id, earlier_id))`,
    `create index charge_twins_org_later_at on ${t('charge_twins')} (org_id, later_at)`,
    `create index charge_twins_org_customer on ${t('charge_twins')} (org_id, customer_id, later_at)`,
    `create index charge_twins_org_earlier on ${t('charge_twins')} (org_id, earlier_id)`,
    ...orgScoped(t('charge_twins')),
    // The pairs of the charges already held.
    `insert into ${t('charge_twins')} (org_id, customer_id, earlier_id, later_id, earlier_at, later_at)
     ${PAIRS(t('charges'), true).replaceAll('%1$I', `"${schema}"`).replaceAll("''", "'")}
     on conflict do nothing`,
    ...statementTriggers('charge_twins', t('charges'), ['insert', 'update', 'delete'], `"${base}".charge_twins_mark`),
  ];
}

/** Creates the double-charge pairs in the ledger's schema and the mirror's, and starts keeping them. */
export function up(db: Kysely<unknown>): Promise<void> {
  return migrateLedgerAndMirror(db, (base) => [MARK(base), REBUILD(base)], twinsTable);
}
