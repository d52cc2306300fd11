/**
 * check_reply: runs the claim checker on a reply's text (a read: nothing is kept but the audit row). With a
 * customer, that customer's recent actions back its claims; with a ticket, the ticket's customer and proposals.
 */
import { z } from 'zod';
import { badInput, notFound } from '../domain/errors.ts';
import { type ClaimFinding, checkClaims, unbackedClaims } from '../policy/claim-checker.ts';
import { defineRead } from './define-operation.ts';
import { findTicket } from './list-tickets.ts';
import { replyBacking } from './reply-backing.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of check_reply. */
export const checkReplyInput = z
  .object({
    text: z.string().trim().min(1, 'the reply is empty').max(20_000),
    customer: z.string().min(1).max(200).optional(),
    ticket: z.string().min(1).max(100).optional(),
  })
  .strict();

/** What check_reply answers: ok when no claim is unbacked. */
export interface CheckReplyResult {
  ok: boolean;
  customer: { id: string; name: string } | null;
  ticket: string | null;
  findings: ClaimFinding[];
}

/** Checks a reply's claims. */
export const checkReply = defineRead({
  name: 'check_reply',
  description:
    "Check a reply's claims before it is sent: every sentence that states a refund, credit, discount, cancellation, plan change, charge, date, guarantee, tax or legal position, and whether an executed or approved action for that customer and amount backs it.",
  kind: 'data.read',
  input: checkReplyInput,
  async run(context, input, connector): Promise<CheckReplyResult> {
    const ticket = input.ticket ? await findTicket(context.db, context.actor.orgId, input.ticket) : undefined;
    if (input.ticket && !ticket) throw notFound('ticket', input.ticket);
    const customer = input.customer
      ? await resolveCustomer(connector, input.customer)
      : ticket
        ? await connector.getCustomer(ticket.customerId)
        : undefined;
    if (ticket && customer && customer.id !== ticket.customerId)
      throw badInput('customer', `ticket ${ticket.number} is for ${ticket.customerId}, not ${customer.id}`);
    const findings = checkClaims(input.text, {
      customer: customer ?? undefined,
      backing: await replyBacking(context.db, context.actor.orgId, {
        ticketId: ticket?.id ?? null,
        customerId: customer?.id ?? null,
      }),
    });
    return {
      ok: unbackedClaims(findings).length === 0,
      customer: customer ? { id: customer.id, name: customer.name } : null,
      ticket: ticket?.number ?? null,
      findings,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customer?.id ?? null }),
});
