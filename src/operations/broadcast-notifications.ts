/**
 * notify_customers (kind messaging.broadcast): the notification of every customer of one bulk proposal, from a
 * template with each customer's own figures, as ONE approval for all the messages (ADR 0024). A bulk operation
 * proposed with `notify: true` proposes it alongside itself; it can also be proposed for a bulk proposal later.
 * The approver sees the count, the template and the first three messages as they will read. Executing it records
 * the broadcast and queues the messages of targets whose change already succeeded; a later job run queues the
 * rest (broadcast-queue.ts). Nothing is sent from here: the reply outbox delivers. Every rendered message is
 * checked by the outbound scanner like any reply, each against its own customer.
 */
import { z } from 'zod';
import type { Customer } from '../domain/billing.ts';
import { sha256Hex } from '../domain/canonical-json.ts';
import { badInput, invalidState } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { slug } from '../domain/mentions.ts';
import type { OutboundFinding } from '../policy/outbound-text.ts';
import { queueNotifications } from './broadcast-queue.ts';
import {
  BROADCAST_TEMPLATES,
  type Figures,
  isBroadcastOperation,
  MAX_TEMPLATE,
  renderTemplate,
  unknownPlaceholders,
} from './broadcast-template.ts';
import { defineWrite } from './define-operation.ts';
import { scanOutbound } from './outbound-scan.ts';
import { loadProposal } from './proposals.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** Messages shown in full on the approval card. */
export const SAMPLE_SIZE = 3;

/** Input of notify_customers. */
export const notifyCustomersInput = z
  .object({
    proposal_id: idOf('prop', 'proposal'),
    template: z
      .string()
      .trim()
      .min(1, 'the template is empty')
      .max(MAX_TEMPLATE, `the template is longer than ${MAX_TEMPLATE} characters`)
      .optional(),
    ...writeContextFields,
  })
  .strict();

/** A target as the bulk proposal's approved payload holds it. */
interface BoundTarget {
  customerId: string;
  label: string;
  figures?: Figures;
}

/** Statuses of a bulk proposal whose customers can no longer be notified (nothing changed, nothing will). */
const CLOSED = new Set(['blocked', 'rejected', 'expired', 'failed']);

/** Notifies the customers of a bulk proposal, as one approval. */
export const notifyCustomers = defineWrite({
  name: 'notify_customers',
  description:
    'Email every customer of a bulk action (plan migration, coupon for a segment, invoice retries) a notification with their own figures, as one approval for all the messages; each is queued in the outbox only once its customer’s change succeeded.',
  kind: 'messaging.broadcast',
  input: notifyCustomersInput,
  destructive: true,
  async facts(context, input, connector) {
    const orgId = context.actor.orgId;
    const bulk = await loadProposal(context.db, orgId, input.proposal_id);
    if (!isBroadcastOperation(bulk.operation))
      throw badInput('proposal_id', `${bulk.id} is a ${bulk.operation} proposal; only bulk actions notify customers`);
    if (CLOSED.has(bulk.status)) throw invalidState(`proposal ${bulk.id} is ${bulk.status}: nobody's billing changes`);
    const done = await context.db
      .selectFrom('broadcasts')
      .select('id')
      .where('orgId', '=', orgId)
      .where('bulkProposalId', '=', bulk.id)
      .executeTakeFirst();
    if (done) throw invalidState(`the customers of ${bulk.id} are already notified (${done.id})`);
    const spec = BROADCAST_TEMPLATES[bulk.operation];
    const template = input.template ?? (bulk.input.template as string | undefined) ?? spec.template;
    const unknown = unknownPlaceholders(bulk.operation, template);
    if (unknown.length > 0)
      throw badInput(
        'template',
        `unknown placeholder {{${unknown[0]}}}; ${bulk.operation} knows ${spec.placeholders.map((name) => `{{${name}}}`).join(', ')}`,
      );
    const targets = ((bulk.payload.facts as { targets?: BoundTarget[] } | undefined)?.targets ?? []).slice();
    const customers = new Map<string, Customer>(
      (await connector.getCustomers([...new Set(targets.map((target) => target.customerId))])).map((customer) => [
        customer.id,
        customer,
      ]),
    );
    const now = await connector.now();
    const messages = targets.flatMap((target) => {
      const customer = customers.get(target.customerId);
      if (!customer?.email) return [];
      const figures = { customer_name: customer.name, ...(target.figures ?? {}) };
      return [{ customer, body: renderTemplate(template, figures, now) }];
    });
    if (messages.length === 0) throw invalidState(`no customer of ${bulk.id} has an email address to notify`);
    // Each message is checked against its own customer: another customer's data in it is a finding.
    const outboundFindings: OutboundFinding[] = [];
    for (const message of messages)
      outboundFindings.push(
        ...(await scanOutbound(
          context.db,
          connector,
          [
            { field: `the subject to ${message.customer.name}`, text: spec.subject },
            { field: `the message to ${message.customer.name}`, text: message.body },
          ],
          {
            customerIds: [message.customer.id],
            emails: new Set([message.customer.email.toLowerCase()]),
            names: new Set([slug(message.customer.name)]),
          },
        )),
      );
    const count = messages.length;
    const people = `${count} customer${count === 1 ? '' : 's'}`;
    const sample = messages.slice(0, SAMPLE_SIZE);
    return {
      decision: {
        customerIds: messages.map((message) => message.customer.id),
        targetCount: count,
        reversible: false,
        outboundFindings,
      },
      preview: {
        summary: `Notify ${people} by email, one approval for all ${count} messages: ${bulk.preview.summary.replace(/, and notify \d+ customers? \(approval needed\)$/, '')}`,
        changes: [
          { field: 'recipients', from: null, to: `${people} (each queued once their change succeeds)` },
          { field: 'subject', from: null, to: spec.subject },
          { field: 'template', from: null, to: template },
          ...sample.map((message, index) => ({
            field: `message ${index + 1} of ${count} (to ${message.customer.name} <${message.customer.email}>)`,
            from: null,
            to: message.body,
          })),
        ],
        money: null,
        customers: messages.map((message) => ({ id: message.customer.id, name: message.customer.name })),
        targets: messages.map((message) => message.customer.email),
        reversible: false,
        details: {
          count,
          subject: spec.subject,
          template,
          sample: sample.map((message) => ({
            customerId: message.customer.id,
            name: message.customer.name,
            email: message.customer.email,
            body: message.body,
          })),
          bulkProposalId: bulk.id,
          findings: outboundFindings,
        },
      },
      subjects: {},
      bound: {
        bulkProposalId: bulk.id,
        bulkPayloadHash: bulk.payloadHash,
        operation: bulk.operation,
        subject: spec.subject,
        template,
        createdBy: bulk.requesterId,
        customers: messages.map((message) => message.customer.id),
      },
    };
  },
  async execute(_input, connector, idempotencyKey, bound, executor) {
    const bulkProposalId = String(bound.bulkProposalId);
    const broadcastId = newId('broadcast');
    const created = await executor
      .insertInto('broadcasts')
      .values({
        id: broadcastId,
        orgId: connector.orgId,
        proposalId: idempotencyKey.replace(/^leash_/, ''),
        bulkProposalId,
        operation: String(bound.operation),
        subject: String(bound.subject),
        template: String(bound.template),
        idempotencyKey,
        createdBy: String(bound.createdBy),
        createdAt: new Date(),
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) throw invalidState(`the customers of ${bulkProposalId} are already notified`);
    const { queued } = await queueNotifications(executor, connector, bulkProposalId);
    return {
      broadcastId,
      bulkProposalId,
      templateHash: sha256Hex(String(bound.template)),
      queued: queued.length,
      messageIds: queued.map((message) => message.messageId),
    };
  },
});
