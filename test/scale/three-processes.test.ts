/**
 * Issue 19 acceptance: three `leash start` processes (compiled CLI, loopback ports) on one PostgreSQL database.
 * A proposal made on one is approved on another; 30 concurrent confirms spread over the three execute each
 * proposal once (one execution, one audit row); a bulk job whose process is SIGKILLed mid-run is finished by
 * another, each target applied and audited once. PostgreSQL only: the embedded store runs one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, apiKeyFor, type Cluster, openCluster, type ServerProcess } from '../../bench/cluster.ts';

const databaseUrl = process.env.DATABASE_URL;
const CLERK = 'carl@northwind.test';
const FINANCE = 'fiona@northwind.test';
const MANAGER = 'max@northwind.test';

describe.skipIf(!databaseUrl)('three server processes on one PostgreSQL database', () => {
  let cluster: Cluster;
  let servers: ServerProcess[];
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await openCluster(databaseUrl ?? '', {
      customers: 40,
      // A job counts as lost 9 s after it started; bulk slices run 3 s; expiry is checked every 3 s.
      env: { LEASH_JOB_EXPIRE_SECONDS: '9', LEASH_LOG_LEVEL: 'info' },
    });
    for (const email of [CLERK, FINANCE, MANAGER]) keys[email] = await apiKeyFor(cluster, email);
    servers = [];
    for (let index = 0; index < 3; index += 1) servers.push(await cluster.start());
  }, 240_000);

  afterAll(async () => cluster?.close(), 60_000);

  const executionsOf = (proposalId: string) =>
    cluster.query<{ n: string }>('select count(*) as n from executions where proposal_id = $1', [proposalId]);
  const auditRowsOf = (proposalId: string, event: string) =>
    cluster.query<{ n: string }>('select count(*) as n from audit_events where proposal_id = $1 and event = $2', [
      proposalId,
      event,
    ]);

  it('a proposal made on one server is approved on another and executes once', async () => {
    const [charge] = await cluster.query<{ id: string }>(
      "select id from charges where status = 'succeeded' and amount_refunded = 0 and amount > 1000 order by id limit 1",
    );
    const proposed = await api<{ id: string; approval: { id: string } | null; decision: { outcome: string } }>(
      servers[0] as ServerProcess,
      keys[CLERK] ?? '',
      'POST',
      '/api/operations/refund_charge',
      { charge_id: charge?.id, amount: 500, reason: 'charged twice', case_id: 'SCALE-1' },
    );
    expect(proposed.status).toBe(201);
    expect(proposed.body.approval).not.toBeNull();
    const seen = await api(
      servers[1] as ServerProcess,
      keys[FINANCE] ?? '',
      'GET',
      `/api/proposals/${proposed.body.id}`,
    );
    expect(seen.status).toBe(200);
    const approved = await api<{ status: string }>(
      servers[1] as ServerProcess,
      keys[FINANCE] ?? '',
      'POST',
      `/api/approvals/${proposed.body.approval?.id}/approve`,
      { reason: 'duplicate confirmed', confirm_text: 'CONFIRM' },
    );
    expect(approved.body).toMatchObject({ status: 'succeeded' });
    expect(Number((await executionsOf(proposed.body.id))[0]?.n)).toBe(1);
    expect(Number((await auditRowsOf(proposed.body.id, 'execution.succeeded'))[0]?.n)).toBe(1);
    const third = await api(
      servers[2] as ServerProcess,
      keys[FINANCE] ?? '',
      'GET',
      `/api/proposals/${proposed.body.id}`,
    );
    expect(third.body).toMatchObject({ status: 'succeeded' });
  }, 60_000);

  it('30 concurrent confirms spread over the three servers execute each proposal once', async () => {
    const proposals: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      const proposed = await api<{ id: string; decision: { outcome: string } }>(
        servers[index % 3] as ServerProcess,
        keys[FINANCE] ?? '',
        'POST',
        '/api/operations/create_customer',
        {
          name: `Scale Co ${index}`,
          email: `scale${index}@scale.test`,
          country: 'US',
          currency: 'usd',
          reason: 'new signup',
          case_id: `SCALE-C${index}`,
        },
      );
      expect(proposed.status).toBe(201);
      expect(proposed.body).toMatchObject({ decision: { outcome: 'pass' } });
      proposals.push(proposed.body.id);
    }
    const confirms = await Promise.all(
      proposals.flatMap((id) =>
        (servers as ServerProcess[]).map((server) =>
          api<{ status: string }>(server, keys[FINANCE] ?? '', 'POST', `/api/proposals/${id}/confirm`, {}),
        ),
      ),
    );
    expect(confirms).toHaveLength(30);
    expect(confirms.every((confirm) => confirm.status < 500)).toBe(true);
    for (const id of proposals) {
      expect(Number((await executionsOf(id))[0]?.n)).toBe(1);
      expect(Number((await auditRowsOf(id, 'execution.succeeded'))[0]?.n)).toBe(1);
    }
    const customers = await cluster.query<{ n: string }>(
      "select count(*) as n from customers where email like '%@scale.test'",
    );
    expect(Number(customers[0]?.n)).toBe(10);
  }, 90_000);

  it('a bulk job whose process is killed mid-run is finished by another: each target applied and audited once', async () => {
    const proposed = await api<{
      id: string;
      approval: { id: string } | null;
      preview: { details: { count: number } };
    }>(servers[0] as ServerProcess, keys[MANAGER] ?? '', 'POST', '/api/operations/bulk_apply_coupon', {
      coupon: 'SUMMER20',
      country: 'US',
      rate_per_second: 2,
      reason: 'summer campaign',
      case_id: 'SCALE-2',
    });
    expect(proposed.status).toBe(201);
    const total = proposed.body.preview.details.count;
    expect(total).toBeGreaterThanOrEqual(10);
    const approved = await api<{ status: string; result: { jobId: string } }>(
      servers[1] as ServerProcess,
      keys[FINANCE] ?? '',
      'POST',
      `/api/approvals/${proposed.body.approval?.id}/approve`,
      { reason: 'campaign approved', confirm_text: 'CONFIRM' },
    );
    expect(approved.body).toMatchObject({ status: 'succeeded' });
    const jobId = approved.body.result.jobId;
    // Whichever worker took the job says so in its log; kill it a second into its slice (3 s at 2 targets/s).
    const started = `"jobId":"${jobId}"`;
    let runner: ServerProcess | undefined;
    for (let waited = 0; !runner && waited < 30_000; waited += 100) {
      runner = servers.find((server) => server.output().includes(started));
      if (!runner) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runner).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    runner?.child.kill('SIGKILL');
    const [before] = await cluster.query<{ n: string }>(
      "select count(*) as n from bulk_job_targets where job_id = $1 and status = 'pending'",
      [jobId],
    );
    expect(Number(before?.n)).toBeGreaterThan(0);
    expect(Number(before?.n)).toBeLessThan(total);
    let status = '';
    for (let waited = 0; status !== 'succeeded' && waited < 90_000; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status =
        (await cluster.query<{ status: string }>('select status from bulk_jobs where id = $1', [jobId]))[0]?.status ??
        '';
    }
    expect(status).toBe('succeeded');
    const survivors = servers.filter((server) => server !== runner);
    expect(survivors.some((server) => server.output().includes(started))).toBe(true);
    const audited = await cluster.query<{ position: number; n: string }>(
      `select (arguments->>'position')::int as position, count(*) as n from audit_events
        where proposal_id = $1 and event = 'execution.succeeded' and arguments ? 'position'
        group by 1 order by 1`,
      [proposed.body.id],
    );
    expect(audited.map((row) => row.position)).toEqual([...Array(total).keys()]);
    expect(audited.every((row) => Number(row.n) === 1)).toBe(true);
    const [coupon] = await cluster.query<{ times_redeemed: number }>(
      "select times_redeemed from coupons where code = 'SUMMER20'",
    );
    expect(coupon?.times_redeemed).toBe(total);
    const verified = await api<{ ok: boolean }>(
      servers.find((server) => server !== runner) as ServerProcess,
      keys[FINANCE] ?? '',
      'GET',
      '/api/audit/verify',
    );
    expect(verified.body).toMatchObject({ ok: true });
  }, 150_000);
});
