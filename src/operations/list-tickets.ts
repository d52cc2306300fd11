/** list_tickets and get_ticket: the internal billing tickets, newest first, and one in full. */

import type { Kysely, Selectable, Transaction } from 'kysely';
import { z } from 'zod';
import { notFound } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import type { TicketsTable } from '../store/work.schema.ts';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** A ticket as surfaces show it. */
export type TicketView = Omit<Selectable<TicketsTable>, 'number'> & { number: string };

function view(row: Selectable<TicketsTable>): TicketView {
  return { ...row, number: `T-${row.number}` };
}

/** Reads one ticket by id or number (T-1001) in an org. */
export async function findTicket(
  executor: Kysely<Database> | Transaction<Database>,
  orgId: string,
  reference: string,
): Promise<TicketView | undefined> {
  const number = /^T-(\d{1,9})$/i.exec(reference.trim())?.[1];
  let select = executor.selectFrom('tickets').selectAll().where('orgId', '=', orgId);
  select = number ? select.where('number', '=', Number(number)) : select.where('id', '=', reference.trim());
  const row = await select.executeTakeFirst();
  return row ? view(row) : undefined;
}

/** Input of list_tickets. */
export const listTicketsInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    status: z.enum(['open', 'waiting_approval', 'closed']).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

/** Lists tickets. */
export const listTickets = defineRead({
  name: 'list_tickets',
  description: 'List internal billing tickets, newest first: by customer (id, email or name) or status.',
  kind: 'data.read',
  input: listTicketsInput,
  async run(context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    let select = context.db.selectFrom('tickets').selectAll().where('orgId', '=', context.actor.orgId);
    if (customer) select = select.where('customerId', '=', customer.id);
    if (input.status) select = select.where('status', '=', input.status);
    const rows = await select.orderBy('number', 'desc').limit(input.limit).execute();
    return { tickets: rows.map(view) };
  },
  subjects: (_input, output) => ({ customerId: output.tickets[0]?.customerId ?? null }),
});

/** Input of get_ticket. */
export const getTicketInput = z.object({ ticket: z.string().min(1).max(100) }).strict();

/** Shows one ticket. */
export const getTicket = defineRead({
  name: 'get_ticket',
  description: 'Show one internal billing ticket by number (T-1001) or id: class, facts, draft, findings, proposals.',
  kind: 'data.read',
  input: getTicketInput,
  async run(context, input) {
    const ticket = await findTicket(context.db, context.actor.orgId, input.ticket);
    if (!ticket) throw notFound('ticket', input.ticket);
    return { ticket };
  },
  subjects: (_input, output) => ({ customerId: output.ticket.customerId }),
});
