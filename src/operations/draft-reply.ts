/**
 * draft_reply: keep a reply to a customer as a draft (kind messaging.draft; nothing leaves Leash). The
 * preview lists every claim the text makes and whether an executed or approved action for this customer,
 * covering the amount, backs it (src/policy/claim-checker.ts).
 */
import { z } from 'zod';
import { notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { checkClaims } from '../policy/claim-checker.ts';
import { json } from '../store/json.ts';
import { defineWrite } from './define-operation.ts';
import { findTicket } from './list-tickets.ts';
import { replyBacking } from './reply-backing.ts';
import { resolveCustomer } from './resolve-customer.ts';
import { writeContextFields } from './write-fields.ts';

/** Input of draft_reply. */
export const draftReplyInput = z
  .object({
    customer: z.string().min(1).max(200),
    body: z.string().trim().min(1).max(10_000),
    subject: z.string().trim().min(1).max(200).default('About your billing question'),
    ticket: z.string().min(1).max(100).optional(),
    ...writeContextFields,
  })
  .strict();

/** Drafts a reply. */
export const draftReply = defineWrite({
  name: 'draft_reply',
  description:
    'Draft a reply to a customer (kept as a draft, never sent): the preview flags every promise the text makes that no executed or approved action backs.',
  kind: 'messaging.draft',
  input: draftReplyInput,
  destructive: false,
  async facts(context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer);
    const ticket = input.ticket ? await findTicket(context.db, context.actor.orgId, input.ticket) : undefined;
    if (input.ticket && !ticket) throw notFound('ticket', input.ticket);
    const findings = checkClaims(input.body, {
      customer,
      backing: await replyBacking(context.db, context.actor.orgId, {
        ticketId: ticket?.id ?? null,
        customerId: customer.id,
      }),
    });
    const unbacked = findings.filter((finding) => !finding.backed);
    return {
      decision: { customerIds: [customer.id], targetCount: 1, reversible: true },
      preview: {
        summary: `Draft a reply to ${customer.name} <${customer.email}>${
          unbacked.length
            ? ` — ${unbacked.length} unsupported promise(s): ${unbacked.map((finding) => finding.kind).join(', ')}`
            : ''
        }`,
        // The whole body is on the card: what is confirmed is exactly what would be sent.
        changes: [
          { field: 'draft', from: null, to: input.subject },
          { field: 'draft body', from: null, to: input.body },
        ],
        money: null,
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.email],
        reversible: true,
        details: { findings },
      },
      subjects: { customerId: customer.id },
      bound: {
        customerId: customer.id,
        toEmail: customer.email,
        ticketId: ticket?.id ?? null,
        createdBy: context.actor.memberId,
        findings,
      },
    };
  },
  async execute(input, connector, _idempotencyKey, bound, executor) {
    const id = newId('message');
    await executor
      .insertInto('messages')
      .values({
        id,
        orgId: connector.orgId,
        customerId: String(bound.customerId),
        ticketId: (bound.ticketId as string | null) ?? null,
        toEmail: String(bound.toEmail),
        subject: input.subject,
        body: input.body,
        findings: json(bound.findings),
        status: 'draft',
        createdBy: String(bound.createdBy),
        createdAt: new Date(),
      })
      .execute();
    return { messageId: id, status: 'draft', findings: bound.findings };
  },
});
