/**
 * Where a customer's billing mail goes, with its history (issue 17): `customer_email_changes` gets a row whenever
 * a customer's email changes, written by a trigger on the ledger's `customers` and on the Stripe mirror's, so a
 * change made by any path (an operation, a Stripe sync or webhook, a hand edit) is recorded with its time. The
 * gate asks it before a reply is sent: mail to an address changed in the last 72 h needs approval.
 *
 * Also an index for the rolling daily limits, which sum the money reserved by proposals in the last 24 h.
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

const TRIGGERS = `
  do $$ declare
    base text := current_schema();
    mirror text := current_schema() || '_stripe';
  begin
    execute format($f$
      create function %I.leash_note_email_change() returns trigger language plpgsql as $t$
      begin
        insert into %I.customer_email_changes (org_id, customer_id, from_email, to_email, changed_at)
          values (new.org_id, new.id, old.email, new.email, now());
        return new;
      end $t$
    $f$, base, base);
    execute format(
      'create trigger customers_email_changed after update of email on %I.customers for each row '
      'when (old.email is distinct from new.email) execute function %I.leash_note_email_change()', base, base);
    if exists (select from pg_namespace where nspname = mirror) then
      execute format(
        'create trigger customers_email_changed after update of email on %I.customers for each row '
        'when (old.email is distinct from new.email) execute function %I.leash_note_email_change()', mirror, base);
    end if;
  end $$
`;

/** Creates the history table, its triggers and the proposals index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table customer_email_changes (
      org_id text not null references orgs(id),
      customer_id text not null,
      from_email text not null,
      to_email text not null,
      changed_at timestamptz not null default now()
    );
    create index customer_email_changes_customer on customer_email_changes (org_id, customer_id, changed_at);
    grant select, insert on customer_email_changes to leash_app;
    alter table customer_email_changes enable row level security;
    create policy org_scope on customer_email_changes using (org_id = current_setting('leash.org_id', true))
      with check (org_id = current_setting('leash.org_id', true));
    create index proposals_org_reserved on proposals (org_id, kind, money_currency, updated_at)
      where reserved_day is not null
    `,
  );
  await sql.raw(TRIGGERS).execute(db);
}
