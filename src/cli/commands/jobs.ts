/** `leash jobs`: bulk jobs — list, show the report, run or resume one (running one is in ../run-job.ts). */
import type { Command } from 'commander';
import { printJson, printTable, showDate } from '../output.ts';
import { printJobReport, runJobWithProgress } from '../run-job.ts';

/** Registers `leash jobs`. */
export function registerJobCommands(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('Bulk jobs: list them, show a report, run or resume one.')
    .addHelpText(
      'after',
      `
A bulk action (bulk_apply_coupon, bulk_retry_invoices, bulk_migrate_plan) lists every target in its
proposal; once confirmed or approved it becomes a job that runs target by target at a capped rate, with a
progress bar. Ctrl-C stops it cleanly; \`leash jobs run JOB\` resumes, and no target is ever changed twice.

Examples:
  $ leash jobs list
  $ leash jobs show job_…
  $ leash jobs run job_… --as fiona@northwind.test`,
    );
  jobs
    .command('list', { isDefault: true })
    .description('List bulk jobs, newest first.')
    .option('--as <email>', 'the member acting (default LEASH_USER, else the owner)')
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const { resolveActor, withSession } = await import('../session.ts');
      const rows = await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        return session.store.db
          .selectFrom('bulkJobs')
          .selectAll()
          .where('orgId', '=', session.org.id)
          .orderBy('createdAt', 'desc')
          .limit(100)
          .execute();
      });
      if (options.json) return printJson(rows);
      printTable(
        ['job', 'operation', 'status', 'done', 'failed', 'total', 'created'],
        rows.map((row) => [
          row.id,
          row.operation,
          row.status,
          String(row.succeeded),
          String(row.failed),
          String(row.total),
          showDate(row.createdAt),
        ]),
        'no bulk jobs',
      );
    });
  jobs
    .command('show')
    .description("Show a job's report: how many targets succeeded and which failed, and why.")
    .argument('<job>', 'job id (job_…)')
    .option('--as <email>', 'the member acting (default LEASH_USER, else the owner)')
    .option('--json', 'print JSON')
    .action(async (jobId: string, options: { as?: string; json?: boolean }) => {
      const [{ jobReport }, { resolveActor, withSession }] = await Promise.all([
        import('../../operations/bulk/define-bulk.ts'),
        import('../session.ts'),
      ]);
      const report = await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        return jobReport(session.store.db, session.org.id, jobId);
      });
      if (options.json) return printJson(report);
      printJobReport(report);
    });
  jobs
    .command('run')
    .description('Run or resume a job: its pending targets, in order, at its rate.')
    .argument('<job>', 'job id (job_…)')
    .option('--as <email>', 'the member running it (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (jobId: string, options: { as?: string; json?: boolean }) => {
      const [{ operationContext }, { resolveActor, withSession }] = await Promise.all([
        import('../operation-context.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        const report = await runJobWithProgress(
          operationContext(session, member, session.gate),
          jobId,
          Boolean(options.json),
        );
        if (options.json) printJson(report);
        if (report.failed > 0) process.exitCode = 1;
      });
    });
}
