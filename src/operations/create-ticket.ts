/**
 * create_ticket: open an internal billing ticket (kind support.case_update) — the customer's message, its
 * class, the facts found with their sources, the drafted reply, promise findings and the proposals opened
 * for it. The ticket workflow (agent/ticket) fills it; a person can open one by hand too.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { newId } from '../domain/ids.ts';
import { TICKET_CLASSES } from '../domain/tickets.ts';
import { json } from '../store/json.ts';
import { defineWrite } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';
import { idOf, writeContextFields } from './write-fields.ts';

/** A fact on a ticket and the records it comes from. */
export const ticketFact = z
  .object({
    label: z.string().min(1).max(200),
    value: z.string().max(2000),
    sources: z.array(z.string().max(100)).max(20),
  })
  .strict();

/** A proposal the ticket opened, with its decision. */
export const ticketProposal = z
  .object({
    proposal_id: idOf('prop', 'proposal'),
    operation: z.string().max(100),
    outcome: z.enum(['pass', 'warn', 'block']),
    status: z.string().max(50),
    summary: z.string().max(1000),
    approvers: z.string().max(300),
  })
  .strict();

/** A claim found in the draft (src/policy/claim-checker.ts), and whether an executed or approved action backs it. */
export const claimFinding = z
  .object({
    sentence: z.string().max(2000),
    kind: z.string().max(50),
    amount: z
      .union([
        z.object({ amount: z.number().int(), currency: z.string().max(10).nullable() }).strict(),
        z.object({ percent: z.number() }).strict(),
        z.object({ months: z.number() }).strict(),
      ])
      .optional(),
    target: z.string().max(200).optional(),
    backed: z.boolean(),
    why: z.string().max(1000),
  })
  .strict();

/** Input of create_ticket. */
export const createTicketInput = z
  .object({
    customer: z.string().min(1).max(200),
    message: z.string().min(1).max(10_000),
    class: z.enum(TICKET_CLASSES),
    confidence: z.number().min(0).max(1).default(1),
    scores: z.record(z.string(), z.number()).default({}),
    facts: z.array(ticketFact).max(50).default([]),
    draft: z.string().max(10_000).default(''),
    findings: z.array(claimFinding).max(50).default([]),
    proposals: z.array(ticketProposal).max(20).default([]),
    approvals_needed: z.array(z.string().max(300)).max(20).default([]),
    /** An id chosen in advance, so proposals opened for the ticket can name it as their case_id. */
    ticket_id: idOf('tkt', 'ticket').optional(),
    ...writeContextFields,
  })
  .strict();

/** Opens a ticket. */
export const createTicket = defineWrite({
  name: 'create_ticket',
  description:
    'Open an internal billing ticket for a customer: message, class, facts with sources, drafted reply, promise findings and linked proposals. Internal only; nothing is sent.',
  kind: 'support.case_update',
  input: createTicketInput,
  destructive: false,
  async facts(context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer);
    const waiting = input.proposals.some((proposal) => proposal.status === 'awaiting_approval');
    return {
      decision: { customerIds: [customer.id], targetCount: 1, reversible: true },
      preview: {
        summary: `Open a ${input.class.replace('_', ' ')} ticket for ${customer.name}${
          input.proposals.length ? ` linking ${input.proposals.length} proposal(s)` : ''
        }`,
        changes: [
          { field: 'ticket', from: null, to: input.class },
          { field: 'ticket message', from: null, to: input.message },
        ],
        money: null,
        customers: [{ id: customer.id, name: customer.name }],
        targets: [customer.id],
        reversible: true,
        details: { facts: input.facts.length, waitingForApproval: waiting },
      },
      subjects: { customerId: customer.id },
      bound: {
        customerId: customer.id,
        createdBy: context.actor.memberId,
        status: waiting ? 'waiting_approval' : 'open',
      },
    };
  },
  async execute(input, connector, _idempotencyKey, bound, executor) {
    const now = new Date();
    const id = input.ticket_id ?? newId('ticket');
    // The org's ticket counter: an upsert that locks the counter row, so concurrent tickets get 1001, 1002, …
    // instead of colliding on max + 1 (a counter created late starts after the highest existing number).
    const counter = await executor
      .insertInto('ledgerSequences')
      .values({
        orgId: connector.orgId,
        name: 'ticket',
        value: sql<number>`(select coalesce(max(number), 1000) + 1 from tickets where org_id = ${connector.orgId})`,
      })
      .onConflict((conflict) =>
        conflict.columns(['orgId', 'name']).doUpdateSet({ value: sql`ledger_sequences.value + 1` }),
      )
      .returning('value')
      .executeTakeFirstOrThrow();
    const row = await executor
      .insertInto('tickets')
      .values({
        id,
        orgId: connector.orgId,
        number: Number(counter.value),
        customerId: String(bound.customerId),
        message: input.message,
        class: input.class,
        confidence: input.confidence,
        scores: json(input.scores),
        facts: json(input.facts),
        draft: input.draft,
        findings: json(input.findings),
        proposals: json(input.proposals),
        approvalsNeeded: json(input.approvals_needed),
        status: bound.status as 'open' | 'waiting_approval',
        createdBy: String(bound.createdBy),
        createdAt: now,
        updatedAt: now,
      })
      .returning(['id', 'number', 'status'])
      .executeTakeFirstOrThrow();
    return { ticketId: row.id, number: `T-${row.number}`, status: row.status };
  },
});
