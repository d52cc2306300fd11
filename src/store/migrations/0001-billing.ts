/** Orgs, members and the embedded billing ledger's tables. */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates the core and ledger tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  await runStatements(
    db,
    `
    create table orgs (
      id text primary key,
      name text not null,
      policy_profile text not null default 'short-leash',
      created_at timestamptz not null default now()
    );
    create table members (
      id text primary key,
      org_id text not null references orgs(id),
      email text not null,
      name text not null default '',
      role text not null check (role in ('owner', 'billing_manager', 'billing_clerk', 'read_only')),
      groups jsonb not null default '[]',
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      unique (org_id, email)
    );
    create unique index members_one_owner on members (org_id) where role = 'owner' and disabled_at is null;

    create table ledger_clocks (
      org_id text primary key references orgs(id),
      now timestamptz not null
    );
    create table ledger_sequences (
      org_id text not null references orgs(id),
      name text not null,
      value bigint not null,
      primary key (org_id, name)
    );
    create table ledger_idempotency (
      org_id text not null references orgs(id),
      key text not null,
      operation text not null,
      request_hash text not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (org_id, key)
    );

    create table customers (
      id text primary key,
      org_id text not null references orgs(id),
      name text not null,
      email text not null,
      country text not null,
      address jsonb not null default '{}',
      metadata jsonb not null default '{}',
      currency text not null,
      balance bigint not null default 0,
      payment_method jsonb,
      tax_rate_bps integer not null default 0,
      created_at timestamptz not null,
      deleted_at timestamptz
    );
    create index customers_org_created on customers (org_id, created_at);
    create index customers_org_email on customers (org_id, lower(email));
    create index customers_org_country on customers (org_id, country);
    create index customers_name_trgm on customers using gin (lower(name) gin_trgm_ops);

    create table products (
      id text primary key,
      org_id text not null references orgs(id),
      name text not null,
      description text not null default '',
      limits jsonb not null default '{}',
      overage text not null default '',
      legacy boolean not null default false,
      active boolean not null default true,
      created_at timestamptz not null
    );
    create index products_org on products (org_id);

    create table prices (
      id text primary key,
      org_id text not null references orgs(id),
      product_id text not null references products(id),
      nickname text not null default '',
      currency text not null,
      interval text check (interval in ('month', 'year')),
      scheme text not null check (scheme in ('flat', 'per_unit', 'tiered')),
      unit_amount bigint not null default 0,
      tiers jsonb not null default '[]',
      usage_metric text,
      free_allowance bigint not null default 0,
      trial_days integer not null default 0,
      active boolean not null default true,
      created_at timestamptz not null
    );
    create index prices_org_product on prices (org_id, product_id);

    create table coupons (
      id text primary key,
      org_id text not null references orgs(id),
      code text not null,
      name text not null,
      percent_off_bps integer,
      amount_off bigint,
      currency text,
      duration text not null check (duration in ('once', 'repeating', 'forever')),
      duration_in_months integer,
      countries jsonb not null default '[]',
      max_redemptions integer,
      times_redeemed integer not null default 0,
      valid boolean not null default true,
      created_at timestamptz not null,
      unique (org_id, code),
      check ((percent_off_bps is null) <> (amount_off is null))
    );

    create table subscriptions (
      id text primary key,
      org_id text not null references orgs(id),
      customer_id text not null references customers(id),
      status text not null check (status in ('trialing', 'active', 'past_due', 'canceled', 'unpaid')),
      currency text not null,
      current_period_start timestamptz not null,
      current_period_end timestamptz not null,
      billing_anchor timestamptz not null,
      trial_end timestamptz,
      cancel_at_period_end boolean not null default false,
      canceled_at timestamptz,
      ended_at timestamptz,
      cancellation_reason text,
      coupon_id text references coupons(id),
      discount_end timestamptz,
      created_at timestamptz not null
    );
    create index subscriptions_org_customer on subscriptions (org_id, customer_id);
    create index subscriptions_org_due on subscriptions (org_id, current_period_end) where status <> 'canceled';

    create table subscription_items (
      id text primary key,
      org_id text not null references orgs(id),
      subscription_id text not null references subscriptions(id),
      price_id text not null references prices(id),
      quantity integer not null default 1,
      position integer not null default 0
    );
    create index subscription_items_sub on subscription_items (subscription_id);
    create index subscription_items_org_price on subscription_items (org_id, price_id);

    create table invoices (
      id text primary key,
      org_id text not null references orgs(id),
      number text not null,
      customer_id text not null references customers(id),
      subscription_id text references subscriptions(id),
      status text not null check (status in ('draft', 'open', 'paid', 'void', 'uncollectible')),
      billing_reason text not null,
      currency text not null,
      subtotal bigint not null,
      discount bigint not null default 0,
      tax bigint not null default 0,
      total bigint not null,
      credit_applied bigint not null default 0,
      amount_paid bigint not null default 0,
      amount_due bigint not null,
      amount_remaining bigint not null,
      period_start timestamptz,
      period_end timestamptz,
      due_date timestamptz,
      created_at timestamptz not null,
      finalized_at timestamptz,
      paid_at timestamptz,
      voided_at timestamptz,
      sent_at timestamptz,
      attempt_count integer not null default 0,
      next_payment_attempt timestamptz,
      memo text not null default '',
      unique (org_id, number)
    );
    create index invoices_org_customer on invoices (org_id, customer_id, created_at);
    create index invoices_org_status_due on invoices (org_id, status, due_date);
    create index invoices_org_subscription on invoices (org_id, subscription_id);
    create index invoices_org_retry on invoices (org_id, next_payment_attempt) where next_payment_attempt is not null;

    create table invoice_lines (
      id text primary key,
      org_id text not null references orgs(id),
      invoice_id text not null references invoices(id),
      position integer not null,
      description text not null,
      amount bigint not null,
      quantity bigint not null default 1,
      price_id text,
      period_start timestamptz,
      period_end timestamptz,
      proration boolean not null default false
    );
    create index invoice_lines_invoice on invoice_lines (invoice_id, position);

    create table charges (
      id text primary key,
      org_id text not null references orgs(id),
      customer_id text not null references customers(id),
      invoice_id text references invoices(id),
      amount bigint not null check (amount > 0),
      currency text not null,
      status text not null check (status in ('succeeded', 'failed')),
      failure_code text,
      failure_message text,
      card_brand text,
      card_country text,
      amount_refunded bigint not null default 0,
      method text not null default 'card',
      created_at timestamptz not null,
      check (amount_refunded >= 0 and amount_refunded <= amount)
    );
    create index charges_org_customer on charges (org_id, customer_id, created_at);
    create index charges_org_invoice on charges (org_id, invoice_id);
    create index charges_org_created on charges (org_id, created_at);

    create table refunds (
      id text primary key,
      org_id text not null references orgs(id),
      charge_id text not null references charges(id),
      amount bigint not null check (amount > 0),
      currency text not null,
      reason text not null default '',
      created_at timestamptz not null
    );
    create index refunds_org_charge on refunds (org_id, charge_id);

    create table credit_notes (
      id text primary key,
      org_id text not null references orgs(id),
      invoice_id text not null references invoices(id),
      customer_id text not null references customers(id),
      amount bigint not null check (amount > 0),
      currency text not null,
      reason text not null default '',
      created_at timestamptz not null
    );
    create index credit_notes_org_invoice on credit_notes (org_id, invoice_id);

    create table balance_transactions (
      id text primary key,
      org_id text not null references orgs(id),
      customer_id text not null references customers(id),
      amount bigint not null,
      currency text not null,
      description text not null,
      invoice_id text,
      created_at timestamptz not null
    );
    create index balance_transactions_org_customer on balance_transactions (org_id, customer_id, created_at);

    create table usage_records (
      id text primary key,
      org_id text not null references orgs(id),
      subscription_id text not null references subscriptions(id),
      metric text not null,
      quantity bigint not null check (quantity >= 0),
      timestamp timestamptz not null
    );
    create index usage_records_sub_metric on usage_records (subscription_id, metric, timestamp);
  `,
  );
}
