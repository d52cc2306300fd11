/**
 * Rebuilding the MRR facts (migration 0028, ADR 0026) from the invoices, and for the whole org the payment attempts
 * by day (migration 0033) and the possible double charges (migration 0037) from the charges and the MRR movements
 * by month (migration 0034) from the rebuilt changes: for the whole org or one customer, in
 * the ledger's tables and the Stripe mirror's, in batches of customers so a progress bar can follow, all in one
 * transaction. Billing writes keep the facts themselves; a rebuild is for a fact table suspected stale (a row
 * changed by hand outside Leash, a restore from an older backup) and changes nothing when they are right.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Customers per batch: one progress step. */
const BATCH = 2_000;

/** What a rebuild did. */
export interface RebuildSummary {
  customers: number;
  /** Fact rows that differed from a fresh computation (added, removed or changed), across both tables. */
  changed: number;
  lines: number;
  changes: number;
  /** Rows of payment attempts by day (migration 0033), rebuilt with the whole org's facts (not for one customer). */
  paymentDays: number;
  /** Rows of MRR movements by month (migration 0034), rebuilt with the whole org's facts (not for one customer). */
  mrrMonths: number;
  /** Pairs of possible double charges (migration 0037), rebuilt with the whole org's facts (not for one customer). */
  doubleChargePairs: number;
}

/** The schemas that hold facts: the current one and, when it exists, its Stripe mirror. */
async function factSchemas(executor: Executor): Promise<string[]> {
  const { rows } = await sql<{ schema: string; mirror: boolean }>`
    select current_schema() as schema,
           exists (select 1 from information_schema.tables
                    where table_schema = current_schema() || '_stripe' and table_name = 'mrr_lines') as mirror`.execute(
    executor,
  );
  const base = rows[0]?.schema ?? 'public';
  return rows[0]?.mirror ? [base, `${base}_stripe`] : [base];
}

/** An org's fact rows (one customer's when given) as text, one per row, for comparing before and after. */
function factRows(schema: string, orgId: string, customerId?: string) {
  const only = customerId ? sql`and customer_id = ${customerId}` : sql``;
  return sql`
    select concat_ws('|', 'l', line_id, customer_id, currency, subscription_id, starts, ends, period_end, mrr) as row
      from ${sql.id(schema, 'mrr_lines')} where org_id = ${orgId} ${only}
    union all
    select concat_ws('|', 'c', customer_id, currency, at, before, after, had_before)
      from ${sql.id(schema, 'mrr_changes')} where org_id = ${orgId} ${only}`;
}

/** Recomputes an org's MRR facts (or one customer's) from its invoices; idempotent. */
export async function rebuildMrrFacts(
  executor: Executor,
  input: {
    orgId: string;
    customerId?: string;
    onProgress?: (event: { phase: string; done: number; total: number }) => void;
  },
): Promise<RebuildSummary> {
  const run = async (trx: Executor): Promise<RebuildSummary> => {
    const schemas = await factSchemas(trx);
    const summary: RebuildSummary = {
      customers: 0,
      changed: 0,
      lines: 0,
      changes: 0,
      paymentDays: 0,
      mrrMonths: 0,
      doubleChargePairs: 0,
    };
    for (const schema of schemas) {
      await sql`drop table if exists mrr_facts_before`.execute(trx);
      await sql`create temp table mrr_facts_before on commit drop as ${factRows(schema, input.orgId, input.customerId)}`.execute(
        trx,
      );
      // Every customer with invoices or facts (facts of a customer whose invoices are gone must go too).
      const { rows } = await sql<{ customerId: string }>`
        select customer_id from ${sql.id(schema, 'invoices')} where org_id = ${input.orgId}
          ${input.customerId ? sql`and customer_id = ${input.customerId}` : sql``}
        union
        select customer_id from ${sql.id(schema, 'mrr_lines')} where org_id = ${input.orgId}
          ${input.customerId ? sql`and customer_id = ${input.customerId}` : sql``}
        order by 1`.execute(trx);
      const customers = rows.map((row) => row.customerId);
      const phase = schemas.length > 1 ? `rebuilding MRR facts (${schema})` : 'rebuilding MRR facts';
      input.onProgress?.({ phase, done: 0, total: customers.length });
      for (let start = 0; start < customers.length; start += BATCH) {
        const batch = customers.slice(start, start + BATCH);
        await sql`insert into ${sql.id(schema, 'mrr_dirty')} (org_id, customer_id)
                  select ${input.orgId}, unnest(${batch}::text[]) on conflict do nothing`.execute(trx);
        await sql`select ${sql.id(schemas[0] ?? 'public', 'mrr_refresh')}(${schema})`.execute(trx);
        input.onProgress?.({ phase, done: Math.min(start + BATCH, customers.length), total: customers.length });
      }
      const { rows: counted } = await sql<{ changed: number; lines: number; changes: number }>`
        with after as (${factRows(schema, input.orgId, input.customerId)})
        select ((select count(*) from (select row from after except all select row from mrr_facts_before) added)
              + (select count(*) from (select row from mrr_facts_before except all select row from after) removed))::int as changed,
               (select count(*) from after where row like 'l|%')::int as lines,
               (select count(*) from after where row like 'c|%')::int as changes`.execute(trx);
      summary.customers += customers.length;
      summary.changed += Number(counted[0]?.changed ?? 0);
      summary.lines += Number(counted[0]?.lines ?? 0);
      summary.changes += Number(counted[0]?.changes ?? 0);
      if (!input.customerId) {
        const base = schemas[0] ?? 'public';
        const days = await rebuildRollup(trx, 'paymentDays', schema, base, input.orgId);
        const months = await rebuildRollup(trx, 'mrrMonths', schema, base, input.orgId);
        const twins = await rebuildRollup(trx, 'doubleChargePairs', schema, base, input.orgId);
        summary.changed += days.changed + months.changed + twins.changed;
        summary.paymentDays += days.rows;
        summary.mrrMonths += months.rows;
        summary.doubleChargePairs += twins.rows;
      }
    }
    return summary;
  };
  return executor.isTransaction ? run(executor) : executor.transaction().execute(run);
}

/**
 * The rollups rebuilt from scratch with a whole org's facts: payment attempts by day (migration 0033) from the
 * charges, MRR movements by month (migration 0034) from the MRR changes (after those are rebuilt). Each row as
 * text, for comparing before and after.
 */
const ROLLUPS = {
  paymentDays: {
    rebuild: 'charge_days_rebuild',
    rows: (schema: string, orgId: string) =>
      sql`select concat_ws('|', day, country, method, outcome, attempts, amount) as row
            from ${sql.id(schema, 'charge_days')} where org_id = ${orgId} and attempts <> 0`,
  },
  mrrMonths: {
    rebuild: 'mrr_months_rebuild',
    rows: (schema: string, orgId: string) =>
      sql`select concat_ws('|', currency, month, new, reactivation, expansion, contraction, churn, net) as row
            from ${sql.id(schema, 'mrr_months')}
           where org_id = ${orgId} and (new, reactivation, expansion, contraction, churn, net) <> (0, 0, 0, 0, 0, 0)`,
  },
  doubleChargePairs: {
    rebuild: 'charge_twins_rebuild',
    rows: (schema: string, orgId: string) =>
      sql`select concat_ws('|', customer_id, earlier_id, later_id, earlier_at, later_at) as row
            from ${sql.id(schema, 'charge_twins')} where org_id = ${orgId}`,
  },
} as const;

/** Recomputes one of an org's rollups in `schema`: rows that differed, rows now. */
async function rebuildRollup(
  trx: Executor,
  rollup: keyof typeof ROLLUPS,
  schema: string,
  base: string,
  orgId: string,
): Promise<{ changed: number; rows: number }> {
  const rows = ROLLUPS[rollup].rows(schema, orgId);
  await sql`drop table if exists rollup_before`.execute(trx);
  await sql`create temp table rollup_before on commit drop as ${rows}`.execute(trx);
  await sql`select ${sql.id(base, ROLLUPS[rollup].rebuild)}(${schema}, ${orgId})`.execute(trx);
  const { rows: counted } = await sql<{ changed: number; rows: number }>`
    with after as (${rows})
    select ((select count(*) from (select row from after except all select row from rollup_before) added)
          + (select count(*) from (select row from rollup_before except all select row from after) removed))::int
             as changed,
           (select count(*) from after)::int as rows`.execute(trx);
  return { changed: Number(counted[0]?.changed ?? 0), rows: Number(counted[0]?.rows ?? 0) };
}
