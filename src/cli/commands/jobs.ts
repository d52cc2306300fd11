/** `leash jobs`: bulk jobs — list, show the report, run or resume one; and running a job right after approval. */
import type { Command } from 'commander';
import { type JobReport, jobReport, runBulkJob } from '../../operations/bulk/define-bulk.ts';
import type { OperationContext } from '../../operations/define-operation.ts';
import type { ExecutionOutcome } from '../../operations/run-operation.ts';
import { operationContext } from '../operation-context.ts';
import { printJson, printTable, showDate } from '../output.ts';
import { progressBar } from '../progress.ts';
import { resolveActor, withSession } from '../session.ts';

function printReport(report: JobReport): void {
  process.stdout.write(
    `Job ${report.jobId} (${report.operation}): ${report.status} — ${report.succeeded} of ${report.total} done, ${report.failed} failed\n`,
  );
  for (const failure of report.failures)
    process.stdout.write(`  ✗ #${failure.position} ${failure.label}: ${failure.error}\n`);
  if (report.status === 'running') process.stdout.write(`  resume with: leash jobs run ${report.jobId}\n`);
}

/** Runs a job with a progress bar; prints its final report (or returns it for --json). */
export async function runJobWithProgress(context: OperationContext, jobId: string, json: boolean): Promise<JobReport> {
  const bar = progressBar(!json);
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  try {
    const report = await runBulkJob(context, jobId, {
      onProgress: (done, total) => bar.onProgress({ phase: 'bulk job', done, total }),
      shouldStop: () => stopping,
    });
    bar.stop();
    if (!json) printReport(report);
    return report;
  } finally {
    process.off('SIGINT', stop);
    bar.stop();
  }
}

/** After a confirm or an approval: when the execution created a bulk job, runs it now. */
export async function runJobIfAny(
  context: OperationContext,
  outcome: ExecutionOutcome,
  json: boolean,
): Promise<JobReport | null> {
  const jobId = (outcome.result as { jobId?: unknown } | null)?.jobId;
  if (outcome.status !== 'succeeded' || typeof jobId !== 'string') return null;
  return runJobWithProgress(context, jobId, json);
}

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
      const report = await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        return jobReport(session.store.db, session.org.id, jobId);
      });
      if (options.json) return printJson(report);
      printReport(report);
    });
  jobs
    .command('run')
    .description('Run or resume a job: its pending targets, in order, at its rate.')
    .argument('<job>', 'job id (job_…)')
    .option('--as <email>', 'the member running it (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (jobId: string, options: { as?: string; json?: boolean }) => {
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
