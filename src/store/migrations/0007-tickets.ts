/**
 * Tickets and replies: the internal billing tickets the ticket workflow opens (class, facts with sources,
 * draft, the proposals it opened) and the replies drafted for customers, which `send_reply` moves to the
 * outbox. A reply is never deleted: a failed delivery stays in the outbox with its error.
 */
import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** Creates tickets, ticket numbers and messages. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table tickets (
      id text primary key,
      org_id text not null references orgs(id),
      number integer not null,
      customer_id text not null references customers(id),
      message text not null,
      class text not null,
      confidence double precision not null,
      scores jsonb not null default '{}',
      facts jsonb not null default '[]',
      draft text not null default '',
      findings jsonb not null default '[]',
      proposals jsonb not null default '[]',
      approvals_needed jsonb not null default '[]',
      status text not null check (status in ('open', 'waiting_approval', 'closed')),
      created_by text not null references members(id),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (org_id, number)
    );
    create index tickets_org_customer on tickets (org_id, customer_id, created_at);

    create table messages (
      id text primary key,
      org_id text not null references orgs(id),
      customer_id text not null references customers(id),
      ticket_id text references tickets(id),
      to_email text not null,
      subject text not null,
      body text not null,
      findings jsonb not null default '[]',
      status text not null check (status in ('draft', 'queued', 'sent', 'failed')),
      created_by text not null references members(id),
      created_at timestamptz not null,
      queued_at timestamptz,
      sent_at timestamptz,
      attempts integer not null default 0,
      last_error text
    );
    create index messages_org_status on messages (org_id, status, created_at);
    `,
  );
}
