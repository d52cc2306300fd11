/**
 * The facts the gate needs about where customer data goes (issue 17), derived from the store for every write
 * after the operation's own facts, at every stage (propose, approve, execute, `leash policy explain`): so every
 * surface (CLI, HTTP, MCP, agent) gets them through the one pipeline, and a change since the proposal is seen.
 *
 * * `contactChange`: an update that changes where a customer's billing mail goes (the email), old and new.
 * * `lastEmailChange`: before a reply is sent, when its customer's email last changed (customer_email_changes,
 *   written by a trigger on every change of a customer's email, by any path).
 * * `outboundFindings`: what the write's outbound free text (outbound-fields.ts) holds that is not the addressed
 *   customer's own: other customers' emails, names and ids, card numbers, bulk lists (outbound-scan.ts).
 */
import { sql } from 'kysely';
import type { BillingConnector } from '../connectors/connector.ts';
import type { DecisionFacts } from '../policy/decision-types.ts';
import { outboundTexts } from '../policy/outbound-fields.ts';
import type { OutboundText } from '../policy/outbound-text.ts';
import type { OperationContext, WriteFacts } from './define-operation.ts';
import { addressedOf, scanOutbound } from './outbound-scan.ts';

const HOUR_MS = 3_600_000;

/** `facts` with the gate's facts about where customer data goes added to its decision facts. */
export async function withGuardFacts(
  context: OperationContext,
  operation: string,
  input: unknown,
  facts: WriteFacts,
  connector: BillingConnector,
): Promise<WriteFacts> {
  const fields = (input ?? {}) as Record<string, unknown>;
  const added: Partial<DecisionFacts> = {};
  const texts: OutboundText[] = outboundTexts(operation, input);
  const extraEmails: string[] = [];
  if (operation === 'update_customer' && typeof fields.email === 'string' && typeof fields.customer_id === 'string') {
    const customer = await connector.getCustomer(fields.customer_id);
    if (customer && customer.email.toLowerCase() !== fields.email.toLowerCase())
      added.contactChange = { customerId: customer.id, from: customer.email, to: fields.email };
  }
  if (operation === 'send_reply' && typeof fields.message_id === 'string') {
    const message = await context.db
      .selectFrom('messages')
      .select(['customerId', 'toEmail', 'subject', 'body'])
      .where('orgId', '=', context.actor.orgId)
      .where('id', '=', fields.message_id)
      .executeTakeFirst();
    if (message) {
      texts.push(
        { field: 'the reply subject', text: message.subject },
        { field: 'the reply body', text: message.body },
      );
      extraEmails.push(message.toEmail);
      const change = await lastEmailChange(context, message.customerId);
      if (change) added.lastEmailChange = change;
    }
  }
  if (texts.length > 0) {
    const addressed = await addressedOf(connector, facts.decision.customerIds, extraEmails);
    added.outboundFindings = await scanOutbound(context.db, connector, texts, addressed);
  }
  return { ...facts, decision: { ...facts.decision, ...added } };
}

/** When the customer's email last changed, to what, and how many hours ago (undefined: never). */
async function lastEmailChange(
  context: OperationContext,
  customerId: string,
): Promise<DecisionFacts['lastEmailChange'] | undefined> {
  const { rows } = await sql<{ toEmail: string; changedAt: Date | string }>`
    select to_email, changed_at from customer_email_changes
    where org_id = ${context.actor.orgId} and customer_id = ${customerId}
    order by changed_at desc limit 1`.execute(context.db);
  const row = rows[0];
  if (!row) return undefined;
  const changedAt = new Date(row.changedAt);
  return {
    customerId,
    to: row.toEmail,
    changedAt: changedAt.toISOString(),
    hoursAgo: Math.max(0, (Date.now() - changedAt.getTime()) / HOUR_MS),
  };
}
