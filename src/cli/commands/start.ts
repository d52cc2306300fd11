/**
 * `leash start` (what `npm start` runs): on first run builds the demo business, then starts the HTTP server —
 * the dashboard at /, the REST API, MCP over HTTP at /mcp, OpenAPI at /openapi.json and docs at /docs — and says
 * how to sign in.
 */
import type { Command } from 'commander';
import { LeashError } from '../../domain/errors.ts';
import { printTable } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';

async function buildDemoOnFirstRun(policyProfile: string): Promise<void> {
  const [{ openStore }, { listOrgs }, { buildDemo, startOfTodayUtc }] = await Promise.all([
    import('../../store/db.ts'),
    import('../../auth/members.ts'),
    import('./demo.ts'),
  ]);
  const probe = await openStore();
  const firstRun = (await listOrgs(probe.db)).length === 0;
  await probe.close();
  if (!firstRun) return;
  process.stdout.write('First run: building the demo business (24 months, 300 customers)…\n');
  const { store } = await buildDemo({
    customers: 300,
    seed: 'leash',
    months: 24,
    endAt: startOfTodayUtc(),
    showProgress: true,
    policyProfile,
  });
  process.stdout.write(`Demo data is in ${store.location}.\n`);
}

/** Why the server could not listen, in one line: a port in use or not allowed says which and what to do. */
function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new LeashError('unavailable', `port ${port} is in use: stop the other process or pass --port N`);
  if (code === 'EACCES')
    return new LeashError('unavailable', `port ${port} needs more privileges: pass --port N (1024 or above)`);
  if (code === 'EADDRNOTAVAIL')
    return new LeashError('unavailable', `address ${host} is not on this machine: pass --host 127.0.0.1 or 0.0.0.0`);
  return error;
}

/** Registers `leash start`. */
export function registerStartCommand(program: Command, version: string): void {
  program
    .command('start')
    .description(
      'Start the Leash server (dashboard, REST API, MCP over HTTP, API docs); on first run builds demo data.',
    )
    // An empty PORT (`PORT=` in an env file) means the default, as if it were not set.
    .option('--port <port>', 'port to listen on (or PORT)', process.env.PORT?.trim() || '8787')
    .option('--host <host>', 'address to listen on (127.0.0.1 keeps it on this machine)', '127.0.0.1')
    .option('--worker', 'run only the background workers, no HTTP server (same as LEASH_ROLE=worker)')
    .addHelpText(
      'after',
      `
Environment:
  LEASH_POLICY_DIR     the policy directory (default: the shipped policies/); a missing or broken policy file
                       (rules.yaml, schema, a .cedar file) refuses to start, naming the file and its error (exit 2)
  LEASH_PUBLIC_URL     the URL people use to reach this server (magic links point here; default http://HOST:PORT);
                       browsers may call the API only from this origin or the one they reached the server at
  LEASH_ALLOWED_HOSTS  extra host names accepted in Host/Origin, comma-separated (DNS-rebinding guard)
  LEASH_SMTP_URL       smtp://user:pass@host:587 to email sign-in links; without it, in development,
                       links are printed to this log (NODE_ENV=production refuses to run that way)
  LEASH_JWT_SECRET     signing key for access tokens (32+ characters, the same on every server process);
                       default: a random key in the data directory
  LEASH_LOG_LEVEL      info | warn (default) | error
  LEASH_STRIPE_SYNC_MINUTES  how often orgs billed on Stripe catch up from the Events API (default 5; 0: never)
  DATABASE_URL         PostgreSQL instead of the embedded store in ./.leash
  LEASH_ROLE           all (default): HTTP server and background workers; web: HTTP only; worker: workers only.
                       web and worker need DATABASE_URL: background work then runs on a pg-boss queue in the
                       database (schema LEASH_JOBS_SCHEMA, default pgboss), shared by every process
  LEASH_JOB_EXPIRE_SECONDS   how long a background job may run before it counts as lost with its process and
                       another worker takes it over (default 300)
  LEASH_REDIS_URL      redis://host:6379 to count rate limits in Redis; default: in the database. Either way
                       every server process on it shares one limit
  LEASH_SHUTDOWN_SECONDS  how long SIGTERM/SIGINT may take to finish requests in flight and hand jobs back before
                       the process exits anyway (default 30)

Health: GET /health (liveness, no database), GET /ready (database, migrations, policy, workers; 503 names
the failing checks).

The dashboard is served at / from web/dist (npm run build:web; it runs on npm install).

Sign in: POST /api/auth/login {"email": "…"} emails a single-use link; or use an API key from
\`leash keys create --as EMAIL\` as Authorization: Bearer lk_… (the key for MCP clients too).`,
    )
    .action(async (options: { port: string; host: string; worker?: boolean }) => {
      const port = parseIntegerOption('port', options.port, 1, 65_535);
      // --- issue 19: the role (background workers, HTTP server, or both) ---
      const { roleFrom, startBackgroundWork } = await import('../../jobs/workers.ts');
      const { onShutdown, shutDown, stopSignal } = await import('../../surfaces/shutdown.ts');
      const role = roleFrom(Boolean(options.worker));
      // Loaded here, not at the top: other commands do not pay for the server's modules at start-up.
      const [
        { default: pino },
        { listMembers, listOrgs },
        { loadSigningKey },
        { smtpFromEnvironment },
        { openStore },
        { loadLocalGate },
        { defaultProfileOf, policyDirInForce, refuseBrokenPolicy },
        { createServer },
        { serveLocalChannel },
      ] = await Promise.all([
        import('pino'),
        import('../../auth/members.ts'),
        import('../../auth/sessions.ts'),
        import('../../operations/deliver-outbox.ts'),
        import('../../store/db.ts'),
        import('../session.ts'),
        import('../../policy/load-gate.ts'),
        import('../../http/server.ts'),
        import('../../surfaces/local-channel-server.ts'),
      ]);
      // A missing or broken policy refuses to start (exit 2): serving would block every write behind a healthy /health.
      const gate = refuseBrokenPolicy(await loadLocalGate());
      if (role !== 'worker') await buildDemoOnFirstRun(defaultProfileOf(gate));
      const store = await openStore();
      const development = process.env.NODE_ENV !== 'production';
      const mailer = smtpFromEnvironment();
      if (!mailer && !development) {
        await store.close();
        throw new Error('NODE_ENV=production needs LEASH_SMTP_URL: sign-in links must be emailed, not logged');
      }
      const publicUrl =
        process.env.LEASH_PUBLIC_URL ?? `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}`;
      // Every line carries the process: pino's pid and host, and the role (issue 19).
      const logger = pino({ level: process.env.LEASH_LOG_LEVEL ?? 'warn' }).child({ role });
      // --- issue 19: background work on the job queue (pg-boss on PostgreSQL, in-process on the embedded store):
      // recovery of unfinished executions, the Stripe catch-up, outbox delivery, audit checkpoints, bulk jobs. ---
      let background: Awaited<ReturnType<typeof startBackgroundWork>>;
      try {
        background = await startBackgroundWork({ store, gate, log: logger, role });
      } catch (error) {
        await store.close();
        throw error;
      }
      if (role === 'worker') {
        process.stdout.write(
          `Leash worker is running on ${store.location}: background jobs from every server on this database (leash jobs lists them).\nCtrl-C stops it; a job it was running goes back to the queue.\n`,
        );
        // The same shutdown as a server's (surfaces/shutdown.ts): jobs handed back, then the store closed, within
        // LEASH_SHUTDOWN_SECONDS.
        onShutdown('background work', 'work', () => background.stop());
        onShutdown('store', 'connections', () => store.close());
        await shutDown(logger, await stopSignal());
        return;
      }
      // --- end issue 19 ---
      const app = await createServer({
        store,
        gate,
        signingKey: loadSigningKey(),
        publicUrl,
        allowedHosts: (process.env.LEASH_ALLOWED_HOSTS ?? '')
          .split(',')
          .map((host) => host.trim())
          .filter(Boolean),
        mailer,
        development,
        // Development without SMTP: the link as a plain line here, not only inside the log's JSON.
        printSignInLink: (line) => process.stdout.write(`${line}\n`),
        logger,
        version,
        // issue 19: rate limits counted in Redis when set (else the database); /ready expects workers unless web-only.
        redisUrl: process.env.LEASH_REDIS_URL,
        runsWorkers: role !== 'web',
      });
      try {
        await app.listen({ port, host: options.host });
      } catch (error) {
        await Promise.allSettled([app.close(), background.stop()]);
        await store.close();
        throw listenError(error, port, options.host);
      }
      // The CLI and `leash mcp` on this machine reach the embedded store through this process while it runs.
      const channel =
        store.kind === 'pglite' && !store.location.startsWith('memory://')
          ? await serveLocalChannel({ store, gate, dataDir: store.location })
          : undefined;
      const [org] = await listOrgs(store.db);
      const members = org ? await listMembers(store.db, org.id) : [];
      process.stdout.write(
        `\nLeash is running at ${publicUrl} (${org?.name ?? 'no org yet'}, data in ${store.location}).\n` +
          `Policy: ${policyDirInForce()} (checked; ${org ? `${org.name} runs the ${org.policyProfile} profile` : `default profile ${defaultProfileOf(gate)}`}).\n\n`,
      );
      printTable(
        ['member', 'role', 'approver groups'],
        members.map((member) => [member.email, member.role, member.groups.join(', ')]),
      );
      process.stdout.write(
        [
          '',
          `Dashboard: open ${publicUrl} and ask for a sign-in link with a member's email.`,
          '',
          'Sign in over the API:',
          `  curl -X POST ${publicUrl}/api/auth/login -H 'content-type: application/json' -d '{"email":"${members[0]?.email ?? 'you@example.com'}"}'`,
          `  ${mailer ? 'the link arrives by email' : 'the single-use link is printed below (development: no SMTP configured)'}; open it to get an access token.`,
          '  Or an API key: npx leash keys create --as EMAIL, then Authorization: Bearer lk_…',
          '',
          `API docs: ${publicUrl}/docs   OpenAPI: ${publicUrl}/openapi.json   MCP: ${publicUrl}/mcp (API key)`,
          store.kind === 'pglite'
            ? channel
              ? 'The CLI and `leash mcp` work beside the server: they reach its store through this process (npx leash --help).'
              : 'The data directory path is too long for the local channel: stop the server to use the CLI on its store.'
            : 'The CLI works beside the server on PostgreSQL: npx leash --help.',
          role === 'web'
            ? 'Background jobs run on the worker processes (leash start --worker) on this database.'
            : `Background jobs run here${store.kind === 'postgres' ? ' and on every other worker on this database' : ''} (leash jobs lists them).`,
          'Ctrl-C stops the server.',
          '',
        ].join('\n'),
      );
      // --- issue 19 (shutdown, surfaces/shutdown.ts): SIGTERM or SIGINT stops taking requests and finishes those in
      // flight, hands running jobs back to the queue, then closes the connections; exit 0. ---
      onShutdown('http server', 'requests', () => app.close());
      onShutdown('background work', 'work', () => background.stop());
      if (channel) onShutdown('local channel', 'connections', () => channel.close());
      onShutdown('store', 'connections', () => store.close());
      await shutDown(logger, await stopSignal());
    });
}
