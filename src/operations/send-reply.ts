/**
 * send_reply: send a drafted reply (kind messaging.send). It goes to the outbox in the same transaction as the
 * decision's execution, so it is never lost; delivery (SMTP when configured) happens after, with retries.
 * The gate sees whether the text makes a billing promise or a tax or legal claim, re-checked by the claim checker
 * on the ticket's proposals and the customer's recent actions as they stand now (customer and amount bound), and routes such replies to a person (short-leash) as POLICY.md says.
 */
import { z } from 'zod';
import { sha256Hex } from '../domain/canonical-json.ts';
import { invalidState, notFound } from '../domain/errors.ts';
import { checkClaims, makesBillingPromise, makesTaxOrLegalClaim } from '../policy/claim-checker.ts';
import { defineWrite } from './define-operation.ts';
import { replyBacking } from './reply-backing.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Input of send_reply. */
export const sendReplyInput = z.object({ message_id: idOf('msg', 'message'), ...writeContextFields }).strict();

/** Sends a drafted reply. */
export const sendReply = defineWrite({
  name: 'send_reply',
  description:
    'Send a drafted reply to the customer: queued in the outbox, delivered by SMTP when configured. Replies that promise money, dates or tax/legal treatment need approval.',
  kind: 'messaging.send',
  input: sendReplyInput,
  destructive: true,
  async facts(context, input, connector) {
    const message = await context.db
      .selectFrom('messages')
      .selectAll()
      .where('orgId', '=', context.actor.orgId)
      .where('id', '=', input.message_id)
      .executeTakeFirst();
    if (!message) throw notFound('message', input.message_id);
    if (message.status !== 'draft') throw invalidState(`message ${message.id} is already ${message.status}`);
    const customer = await connector.getCustomer(message.customerId);
    const findings = checkClaims(message.body, {
      customer: { id: message.customerId, name: customer?.name ?? null, email: message.toEmail },
      backing: await replyBacking(context.db, context.actor.orgId, {
        ticketId: message.ticketId,
        customerId: message.customerId,
      }),
    });
    return {
      decision: {
        customerIds: [message.customerId],
        targetCount: 1,
        reversible: false,
        makesBillingPromise: makesBillingPromise(findings),
        makesTaxOrLegalClaim: makesTaxOrLegalClaim(findings),
      },
      preview: {
        summary: `Send "${message.subject}" to ${message.toEmail}${
          findings.length
            ? ` — it makes ${findings.length} commitment(s): ${findings.map((finding) => `${finding.kind}${finding.backed ? ' (backed)' : ''}`).join(', ')}`
            : ''
        }`,
        changes: [{ field: `message ${message.id}`, from: 'draft', to: 'queued' }],
        money: null,
        customers: [{ id: message.customerId, name: message.toEmail }],
        targets: [message.toEmail],
        reversible: false,
        details: { findings, body: message.body },
      },
      subjects: { customerId: message.customerId },
      bound: { messageId: message.id, toEmail: message.toEmail, bodyHash: sha256Hex(message.body) },
    };
  },
  async execute(_input, connector, _idempotencyKey, bound, executor) {
    const queued = await executor
      .updateTable('messages')
      .set({ status: 'queued', queuedAt: new Date() })
      .where('orgId', '=', connector.orgId)
      .where('id', '=', String(bound.messageId))
      .where('status', '=', 'draft')
      .returning(['id', 'status'])
      .executeTakeFirst();
    if (!queued) throw invalidState(`message ${String(bound.messageId)} is no longer a draft`);
    return { messageId: queued.id, status: queued.status };
  },
});
