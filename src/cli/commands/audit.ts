/** `leash audit tail|verify|export`: the hash-chained, append-only log of everything Leash did. */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import { printJson, printTable } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { progressBar } from '../progress.ts';

/** Registers the audit commands. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      'The audit log: every proposal, decision, approval, execution and read, hash-chained and append-only.',
    );

  audit
    .command('tail')
    .description('Show the newest audit events.')
    .option('--limit <N>', 'how many (1-1000)', '20')
    .option('--customer <id>', 'only events about this customer id')
    .option('--event <name>', 'only this event (e.g. execution.succeeded)')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; customer?: string; event?: string; json?: boolean }) => {
      const [{ listAuditEvents }, { withSession }] = await Promise.all([
        import('../../audit/list-audit-events.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const events = await listAuditEvents(session.store.db, session.org.id, {
          limit: parseIntegerOption('limit', options.limit, 1, 1000),
          ...(options.customer ? { customerId: options.customer } : {}),
          ...(options.event ? { event: options.event } : {}),
          newestFirst: true,
        });
        if (options.json) return printJson(events);
        printTable(
          ['seq', 'at', 'event', 'actor', 'operation', 'subject'],
          events.map((event) => [
            String(event.seq),
            event.at.toISOString().slice(0, 19).replace('T', ' '),
            event.event,
            event.actorEmail ?? '',
            event.operation ?? '',
            event.chargeId ?? event.invoiceId ?? event.customerId ?? event.proposalId ?? '',
          ]),
          'the audit log is empty',
        );
      });
    });

  audit
    .command('verify')
    .description('Recompute the hash chain; names the first bad row. Exit 0 only when the chain is intact.')
    .option('--json', 'print JSON: { ok, rows, first_bad_row }')
    .action(async (options: { json?: boolean }) => {
      const [{ verifyAuditChain }, { withSession }] = await Promise.all([
        import('../../audit/verify-audit-chain.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const bar = progressBar(!options.json);
        const result = await verifyAuditChain(session.store.db, session.org.id, bar.onProgress).finally(() =>
          bar.stop(),
        );
        if (options.json) printJson({ ok: result.ok, rows: result.rows, first_bad_row: result.firstBadRow });
        else if (result.ok) process.stdout.write(`audit chain intact: ${result.rows} rows verified\n`);
        else
          process.stdout.write(
            `audit chain BROKEN at seq ${result.firstBadRow?.seq} (${result.firstBadRow?.id}): ${result.firstBadRow?.reason}\n`,
          );
        if (!result.ok) process.exitCode = 1;
      });
    });

  audit
    .command('export')
    .description('Write the whole log to stdout as JSON lines or CSV.')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .action(async (options: { format: string }) => {
      if (options.format !== 'jsonl' && options.format !== 'csv') throw badInput('--format', 'jsonl or csv');
      const [{ exportAuditEvents }, { withSession }] = await Promise.all([
        import('../../audit/export-audit-events.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await exportAuditEvents(session.store.db, session.org.id, options.format as 'jsonl' | 'csv', (chunk) => {
          process.stdout.write(chunk);
        });
      });
    });
}
