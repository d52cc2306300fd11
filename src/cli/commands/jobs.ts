/**
 * `leash jobs`: bulk jobs — list, show the report, run or resume one (running one is in ../run-job.ts) — and the
 * background job queue (`leash jobs queue`: bulk slices, recovery sweeps, Stripe catch-ups, outbox, checkpoints).
 */
import type { Command } from 'commander';
import { badInput, LeashError } from '../../domain/errors.ts';
import { JOB_STATES, type JobState } from '../../jobs/queue.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate, showDateTime } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { printJobReport, runJobWithProgress } from '../run-job.ts';

const isJobState = (text: string): text is JobState => (JOB_STATES as readonly string[]).includes(text);

/** Registers `leash jobs`. */
export function registerJobCommands(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('Bulk jobs (list, show a report, run or resume one) and the background job queue.')
    .addHelpText(
      'after',
      `
A bulk action (bulk_apply_coupon, bulk_retry_invoices, bulk_migrate_plan) lists every target in its
proposal; once confirmed or approved it becomes a job that runs target by target at a capped rate, with a
progress bar. Ctrl-C stops it cleanly; \`leash jobs run JOB\` resumes, and no target is ever changed twice.

Under \`leash start\`, a confirmed bulk job runs on the background job queue, as does the rest of the background
work: recovery of unfinished executions, the Stripe catch-up, outbox delivery and audit checkpoints. On
PostgreSQL the queue is pg-boss in the database: any worker process takes a job, retries it with backoff, and
another takes it over when the process running it dies. \`leash jobs queue\` lists it with each job's state.

Examples:
  $ leash jobs list
  $ leash jobs show job_…
  $ leash jobs run job_… --as fiona@northwind.test
  $ leash jobs queue --state failed
  $ leash jobs retry 6f1c…  --as fiona@northwind.test`,
    );
  jobs
    .command('list', { isDefault: true })
    .description('List bulk jobs, newest first.')
    .option(...actingAs())
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
    .option(...actingAs())
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
  jobs
    .command('queue')
    .description(
      'List background jobs on the job queue with their state and counts by state (PostgreSQL), newest first.',
    )
    .option('--state <state>', `only jobs in this state: ${JOB_STATES.join(', ')}`)
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { state?: string; limit: string; as?: string; json?: boolean }) => {
      const limit = parseIntegerOption('limit', options.limit, 1, 1000);
      const state = options.state?.trim();
      if (state !== undefined && !isJobState(state))
        throw badInput('--state', `expected one of ${JOB_STATES.join(', ')}`);
      const [{ withQueueOf }, { resolveActor, withSession }] = await Promise.all([
        import('../../jobs/list-queue.ts'),
        import('../session.ts'),
      ]);
      const listed = await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        const orgId = session.org.id;
        return withQueueOf(session.store, async (queue) => ({
          counts: await queue.counts({ orgId }),
          jobs: await queue.list({ orgId, state, limit }),
        }));
      });
      if (options.json)
        return printJson({
          engine: listed ? 'pg-boss' : 'in-process',
          counts: listed?.counts ?? null,
          jobs: listed?.jobs ?? [],
        });
      if (!listed) {
        process.stdout.write(
          'On the embedded store the job queue runs inside `leash start`: the dashboard and GET /api/jobs show it;\n`leash jobs list` shows its bulk jobs.\n',
        );
        return;
      }
      process.stdout.write(`${JOB_STATES.map((name) => `${name} ${listed.counts[name]}`).join(' · ')}\n`);
      printTable(
        ['id', 'queue', 'state', 'for', 'retries', 'created', 'started', 'finished', 'error'],
        listed.jobs.map((job) => [
          job.id,
          job.queue,
          job.state,
          String(job.data.jobId ?? job.orgId ?? 'all orgs'),
          String(job.retryCount),
          showDateTime(job.createdAt, { seconds: true }),
          showDateTime(job.startedAt, { seconds: true }),
          showDateTime(job.completedAt, { seconds: true }),
          job.error ?? '',
        ]),
        'no background jobs',
      );
      if (listed.counts.failed > 0)
        process.stdout.write('A failed job has spent its retries: `leash jobs retry <id>` runs it once more.\n');
    });
  jobs
    .command('retry')
    .description("Run one of the org's failed background jobs once more (owner and billing managers; audited).")
    .argument('<id>', 'the job id (a UUID, from `leash jobs queue --state failed`)')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (id: string, options: { as?: string; json?: boolean }) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id.trim()))
        throw badInput('id', 'a job id is a UUID (`leash jobs queue` lists them)');
      const [{ withQueueOf }, { retryJobAsMember }, { operationContext }, { resolveActor, withSession }] =
        await Promise.all([
          import('../../jobs/list-queue.ts'),
          import('../../jobs/manage.ts'),
          import('../operation-context.ts'),
          import('../session.ts'),
        ]);
      const retried = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        const context = operationContext(session, member, session.gate);
        return withQueueOf(session.store, (queue) => retryJobAsMember(context, queue, id.trim()));
      });
      if (!retried)
        throw new LeashError(
          'invalid_state',
          'on the embedded store the job queue runs inside `leash start`: retry from the dashboard or POST /api/jobs/{id}/retry',
        );
      if (options.json) return printJson(retried);
      process.stdout.write(`Job ${retried.id} (${retried.queue}) is back on the queue; a worker runs it once more.\n`);
    });
}
