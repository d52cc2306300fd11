/**
 * Delivers queued replies by SMTP (nodemailer). A reply reached the outbox when `send_reply` executed; here it
 * is only delivered. Each attempt is counted before it is made, so a crash never sends one twice without a
 * record; a failure keeps the reply queued with its error until `MAX_ATTEMPTS`, then marks it failed. Nothing
 * is ever deleted. Configure with LEASH_SMTP_URL (smtp://user:pass@host:587) and LEASH_SMTP_FROM.
 */

import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database } from '../store/schema.ts';
import { recordStep } from './audit-trail.ts';
import type { OperationContext } from './define-operation.ts';

/** Attempts before a reply is marked failed. */
export const MAX_ATTEMPTS = 5;

/** The SMTP transport from the environment, or null when none is configured. */
export function smtpFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): { transport: Transporter; from: string } | null {
  const url = env.LEASH_SMTP_URL;
  if (!url) return null;
  return { transport: nodemailer.createTransport(url), from: env.LEASH_SMTP_FROM ?? 'billing@localhost' };
}

/** What one delivery run did. */
export interface DeliveryReport {
  sent: string[];
  failed: { id: string; error: string; attempts: number; givenUp: boolean }[];
}

/** Delivers the org's queued replies, oldest first. */
export async function deliverOutbox(
  context: Pick<OperationContext, 'db' | 'actor' | 'channel' | 'requestId' | 'userInput'>,
  smtp: { transport: Transporter; from: string },
  limit = 100,
): Promise<DeliveryReport> {
  const db: Kysely<Database> = context.db;
  const orgId = context.actor.orgId;
  const report: DeliveryReport = { sent: [], failed: [] };
  const queued = await db
    .selectFrom('messages')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('status', '=', 'queued')
    .orderBy('queuedAt')
    .orderBy('id')
    .limit(limit)
    .execute();
  for (const message of queued) {
    const claimed = await db
      .updateTable('messages')
      .set({ attempts: message.attempts + 1 })
      .where('id', '=', message.id)
      .where('status', '=', 'queued')
      .where('attempts', '=', message.attempts)
      .returning('attempts')
      .executeTakeFirst();
    if (!claimed) continue; // another deliverer took it
    try {
      await smtp.transport.sendMail({
        from: smtp.from,
        to: message.toEmail,
        subject: message.subject,
        text: message.body,
        messageId: `<${message.id}@leash.local>`,
      });
      await db
        .updateTable('messages')
        .set({ status: 'sent', sentAt: new Date(), lastError: null })
        .where('id', '=', message.id)
        .execute();
      await recordStep(db, context, 'reply.sent', {
        operation: 'send_reply',
        subjects: { customerId: message.customerId },
        arguments: { messageId: message.id, to: message.toEmail, attempts: claimed.attempts },
      });
      report.sent.push(message.id);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const givenUp = claimed.attempts >= MAX_ATTEMPTS;
      await db
        .updateTable('messages')
        .set({ lastError: text.slice(0, 1000), status: givenUp ? 'failed' : 'queued' })
        .where('id', '=', message.id)
        .execute();
      report.failed.push({ id: message.id, error: text, attempts: claimed.attempts, givenUp });
    }
  }
  return report;
}
