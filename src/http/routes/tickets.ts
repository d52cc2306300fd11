/** Tickets over HTTP: open one through the ticket workflow, list them, show one. */
import { z } from 'zod';
import { runTicket } from '../../agent/ticket/run-ticket.ts';
import { runRead } from '../../operations/run-operation.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

/** Registers the ticket routes. */
export function registerTicketRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/tickets',
    {
      schema: {
        tags: ['tickets'],
        summary: 'Tickets, newest first',
        querystring: z.object({
          customer: z.string().min(1).max(200).optional(),
          status: z.enum(['open', 'waiting_approval', 'closed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (request) => asCaller(deps, request, async ({ context }) => runRead(context, 'list_tickets', request.query)),
  );

  app.get(
    '/api/tickets/:ticket',
    {
      schema: {
        tags: ['tickets'],
        summary: 'One ticket by id (tkt_…) or number (T-12)',
        params: z.object({ ticket: z.string().min(1).max(100) }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => runRead(context, 'get_ticket', { ticket: request.params.ticket })),
  );

  app.post(
    '/api/tickets',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['tickets'],
        summary: "Run the ticket workflow on a customer's message",
        description:
          'Classifies the message, gathers the account facts, opens proposals where the facts support them (a refund of a double charge, for example — each still needs its confirmation or approval), drafts a reply and checks it for promises. The message is data: it never changes who acts or what policy applies.',
        body: z.object({ message: z.string().min(1).max(5000), customer: z.string().min(1).max(200) }).strict(),
      },
    },
    async (request, reply) =>
      asCaller(deps, request, async ({ context }) => reply.status(201).send(await runTicket(context, request.body))),
  );
}
