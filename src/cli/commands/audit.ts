/**
 * `leash audit tail|verify|checkpoint|rotate-key|export`: the hash-chained, signed, append-only log of everything
 * Leash did (ADR 0003, ADR 0015).
 */
import type { Command } from 'commander';
import { badInput } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson, printTable, showDateTime } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { progressBar } from '../progress.ts';

/** Registers the audit commands. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      'The audit log: every proposal, decision, approval, execution and read, hash-chained, signed and append-only.',
    );

  audit
    .command('tail')
    .description('Show the newest audit events.')
    .option('--limit <N>', 'how many (1-1000)', '20')
    .option('--customer <id>', 'only events about this customer id')
    .option('--event <name>', 'only this event (e.g. execution.succeeded)')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; customer?: string; event?: string; as?: string; json?: boolean }) => {
      const [{ listAuditEvents }, { resolveActor, withSession }] = await Promise.all([
        import('../../audit/list-audit-events.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
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
            showDateTime(event.at),
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
    .description(
      "Check the whole log: the hash chain, every row's signature, and every signed checkpoint kept outside the database (the row at its seq must be there with its hash). Names the first bad row or missing range. Exit 0 only when all hold.",
    )
    .option('--json', 'print JSON: { ok, rows, first_bad_row, checkpoints: { checked, latest_seq } }')
    .action(async (options: { json?: boolean }) => {
      const [{ verifyAuditLog }, { withSession }] = await Promise.all([
        import('../../audit/verify-audit-chain.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const bar = progressBar(!options.json);
        const result = await verifyAuditLog(session.store.db, session.org.id, bar.onProgress).finally(() => bar.stop());
        const bad = result.firstBadRow;
        if (options.json)
          printJson({
            ok: result.ok,
            rows: result.rows,
            first_bad_row: bad ? { seq: bad.seq, id: bad.id, reason: bad.reason } : null,
            checkpoints: { checked: result.checkpoints.checked, latest_seq: result.checkpoints.latestSeq },
          });
        else if (result.ok)
          process.stdout.write(
            `audit log intact: ${result.rows} rows verified (chain and signatures), ${result.checkpoints.checked} checkpoints checked${result.checkpoints.latestSeq === null ? '' : ` (latest at seq ${result.checkpoints.latestSeq})`}\n`,
          );
        else
          process.stdout.write(`audit log BROKEN at seq ${bad?.seq}${bad?.id ? ` (${bad.id})` : ''}: ${bad?.reason}\n`);
        if (!result.ok) process.exitCode = EXIT.failure;
      });
    });

  audit
    .command('checkpoint')
    .description(
      "Write a signed checkpoint of the log's head now (org, seq, head hash, time, key id) to the checkpoint directory, outside the database: <data dir>/audit-checkpoints, or LEASH_AUDIT_CHECKPOINTS. Leash also writes one after every execution and at least every minute while events arrive.",
    )
    .option('--json', 'print the checkpoint as JSON')
    .action(async (options: { json?: boolean }) => {
      const [{ writeCheckpoint }, { auditSetupOf }, { withSession }] = await Promise.all([
        import('../../audit/checkpoints.ts'),
        import('../../audit/audit-setup.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const checkpoint = await writeCheckpoint(session.store.db, session.org.id);
        const location = auditSetupOf(session.store.db).sink.location;
        if (options.json) return printJson({ checkpoint: checkpoint ?? null, directory: location });
        process.stdout.write(
          checkpoint
            ? `checkpoint written to ${location}: seq ${checkpoint.seq}, head ${checkpoint.hash.slice(0, 16)}…, key ${checkpoint.key_id}\n`
            : 'the audit log is empty: nothing to checkpoint\n',
        );
      });
    });

  audit
    .command('rotate-key')
    .description(
      "Replace the audit signing key (<data dir>/audit-signing-key). Each org's log records the rotation in an audit.key_rotated row signed by the old key; later rows are signed by the new one. Not for a key given by LEASH_AUDIT_SIGNING_KEY: change that variable instead.",
    )
    .option('--json', 'print JSON: { old_key_id, new_key_id, orgs }')
    .action(async (options: { json?: boolean }) => {
      const [{ rotateAuditKey }, { withSession }] = await Promise.all([
        import('../../audit/rotate-key.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const rotation = await rotateAuditKey(session.store.db, { channel: 'cli' });
        if (options.json)
          return printJson({ old_key_id: rotation.oldKeyId, new_key_id: rotation.newKeyId, orgs: rotation.orgs });
        process.stdout.write(
          `audit signing key rotated: ${rotation.oldKeyId} → ${rotation.newKeyId} (recorded in ${rotation.orgs.length} org log${rotation.orgs.length === 1 ? '' : 's'})\n`,
        );
      });
    });

  audit
    .command('export')
    .description('Write the whole log to stdout as JSON lines or CSV.')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .option(...actingAs())
    .action(async (options: { format: string; as?: string }) => {
      if (options.format !== 'jsonl' && options.format !== 'csv') throw badInput('--format', 'jsonl or csv');
      const [{ exportAuditEvents }, { resolveActor, withSession }] = await Promise.all([
        import('../../audit/export-audit-events.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        await exportAuditEvents(session.store.db, session.org.id, options.format as 'jsonl' | 'csv', (chunk) => {
          process.stdout.write(chunk);
        });
      });
    });
}
