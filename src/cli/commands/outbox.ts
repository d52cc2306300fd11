/** `leash outbox [--deliver]`: replies sent to customers and where each one is; delivers queued ones by SMTP. */
import type { Command } from 'commander';
import { LeashError } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate } from '../output.ts';

/** Registers `leash outbox`. */
export function registerOutboxCommand(program: Command): void {
  program
    .command('outbox')
    .description('List replies (draft, queued, sent, failed); --deliver sends the queued ones by SMTP.')
    .option('--deliver', 'deliver queued replies now (needs LEASH_SMTP_URL)')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
A reply is drafted with \`leash run draft_reply\` and sent with \`leash run send_reply\` (the gate decides;
replies that promise refunds, credits, dates or tax treatment need approval). Sending puts it in the outbox;
delivery is by SMTP when LEASH_SMTP_URL (smtp://user:pass@host:587) and LEASH_SMTP_FROM are set. A failed
delivery stays queued with its error and is retried, up to 5 attempts; nothing is ever dropped.

Examples:
  $ leash outbox
  $ LEASH_SMTP_URL=smtp://127.0.0.1:2525 leash outbox --deliver`,
    )
    .action(async (options: { deliver?: boolean; as?: string; json?: boolean }) => {
      const { resolveActor, withSession } = await import('../session.ts');
      const result = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'read');
        let delivered = null;
        if (options.deliver) {
          const [{ deliverOutbox, smtpFromEnvironment }, { operationContext }] = await Promise.all([
            import('../../operations/deliver-outbox.ts'),
            import('../operation-context.ts'),
          ]);
          const smtp = smtpFromEnvironment();
          if (!smtp)
            throw new LeashError('bad_input', 'SMTP is not configured: set LEASH_SMTP_URL (and LEASH_SMTP_FROM)', {
              field: 'deliver',
            });
          delivered = await deliverOutbox(operationContext(session, member, session.gate), smtp);
        }
        const messages = await session.store.db
          .selectFrom('messages')
          .select(['id', 'toEmail', 'subject', 'status', 'attempts', 'lastError', 'createdAt', 'sentAt'])
          .where('orgId', '=', session.org.id)
          .orderBy('createdAt', 'desc')
          .limit(100)
          .execute();
        return { delivered, messages };
      });
      if (options.json) return printJson(result);
      if (result.delivered)
        process.stdout.write(
          `Delivered ${result.delivered.sent.length}; ${result.delivered.failed.length} failed this time.\n\n`,
        );
      printTable(
        ['message', 'to', 'subject', 'status', 'attempts', 'created', 'sent', 'last error'],
        result.messages.map((message) => [
          message.id,
          message.toEmail,
          message.subject,
          message.status,
          String(message.attempts),
          showDate(message.createdAt),
          showDate(message.sentAt),
          message.lastError ?? '',
        ]),
        'no replies yet',
      );
    });
}
