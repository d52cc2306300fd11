/**
 * Running a bulk job from the CLI, with a progress bar: `leash jobs run`, and right after a confirm or an
 * approval created one. Light to import: the bulk-job engine loads only when a job runs.
 */
import type { JobReport } from '../operations/bulk/define-bulk.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { ExecutionOutcome } from '../operations/run-operation.ts';
import { progressBar } from './progress.ts';

/** Prints a job's report: how many targets succeeded, which failed and why, and how to resume. */
export function printJobReport(report: JobReport): void {
  process.stdout.write(
    `Job ${report.jobId} (${report.operation}): ${report.status} — ${report.succeeded} of ${report.total} done, ${report.failed} failed\n`,
  );
  for (const failure of report.failures)
    process.stdout.write(`  ✗ #${failure.position} ${failure.label}: ${failure.error}\n`);
  if (report.status === 'running') process.stdout.write(`  resume with: leash jobs run ${report.jobId}\n`);
}

/** Runs a job with a progress bar; prints its final report (or returns it for --json). */
export async function runJobWithProgress(context: OperationContext, jobId: string, json: boolean): Promise<JobReport> {
  const { runBulkJob } = await import('../operations/bulk/define-bulk.ts');
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
    if (!json) printJobReport(report);
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
