/** `leash demo`: build a realistic demo SaaS business through the ledger, reproducible from a seed. */
import type { Command } from 'commander';
import { DEMO_MEMBERS } from '../../auth/demo-team.ts';
import { LeashError } from '../../domain/errors.ts';
import { printJson } from '../output.ts';
import { parseDateOption, parseIntegerOption } from '../parse-options.ts';
import { progressBar } from '../progress.ts';

/** Options of the demo, shared by `leash demo` and `npm start`. */
export interface DemoOptions {
  customers: number;
  seed: string;
  months: number;
  endAt: Date;
  showProgress: boolean;
  /** The org's policy profile; default: `default_profile` of the policy in force (a broken policy refuses). */
  policyProfile?: string;
}

/** Today at 00:00 UTC: the default end of the demo's history. */
export function startOfTodayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Creates the demo org and its business in an empty store; returns the generator's summary. */
export async function buildDemo(options: DemoOptions) {
  const [{ createDemoOrg }, { listOrgs }, { generateDemo }, { openStore }, { loadLocalGate }, { defaultProfileOf }] =
    await Promise.all([
      import('../../auth/demo-members.ts'),
      import('../../auth/members.ts'),
      import('../../demo/generate-demo.ts'),
      import('../../store/db.ts'),
      import('../session.ts'),
      import('../../policy/load-gate.ts'),
    ]);
  const policyProfile = options.policyProfile ?? defaultProfileOf(await loadLocalGate());
  const store = await openStore();
  // The simulation reports days: the bar says so ("412/730 days").
  const bar = progressBar(options.showProgress, 'days');
  try {
    if ((await listOrgs(store.db)).length > 0) {
      throw new LeashError(
        'conflict',
        `${store.location} already holds data; use a fresh LEASH_DATA_DIR (or remove it) for a new demo`,
      );
    }
    const { org } = await createDemoOrg(store.db, { policyProfile });
    const summary = await generateDemo(store, {
      orgId: org.id,
      customers: options.customers,
      seed: options.seed,
      months: options.months,
      endAt: options.endAt,
      // The demo people explore always has subscriptions lost to failed payments to find.
      plantChurn: true,
      onProgress: bar.onProgress,
    });
    const named = [...new Set([...summary.duplicateSubscriptions, ...summary.doubleCharges])];
    const customers =
      named.length === 0
        ? []
        : await store.db.selectFrom('customers').select(['id', 'name']).where('id', 'in', named).execute();
    return {
      org,
      store: { kind: store.kind, location: store.location },
      summary,
      names: new Map(customers.map((customer) => [customer.id, customer.name])),
    };
  } finally {
    bar.stop();
    await store.close();
  }
}

/** Registers `leash demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Build a demo SaaS business in an empty store: plans with limits, customers in the US, UK, EU, India, Brazil and Japan, 24 months of billing.',
    )
    .option('--customers <N>', 'how many customers (up to 200000)', '300')
    .option('--seed <S>', 'the same seed gives byte-identical data', 'leash')
    .option('--months <M>', 'months of history (1-60)', '24')
    .option('--end <date>', 'the last day of the history (YYYY-MM-DD); default today')
    .option('--json', 'print the summary as JSON (without it: a summary in words, and progress in days simulated)')
    .addHelpText(
      'after',
      `
The demo runs the business month by month through the ledger engine: signups, trials, upgrades and downgrades,
churn and reactivation, coupons, payment failures that differ by region, dunning, a few overdue invoices,
duplicate subscriptions and double charges. Demo members (log in or use --as):
${DEMO_MEMBERS.map((member) => `  ${member.email.padEnd(24)} ${member.role}${member.groups.length ? ` (${member.groups.join(', ')})` : ''}`).join('\n')}

Examples:
  $ leash demo --seed 42
  $ LEASH_DATA_DIR=/tmp/big leash demo --customers 100000`,
    )
    .action(async (options: { customers: string; seed: string; months: string; end?: string; json?: boolean }) => {
      const result = await buildDemo({
        customers: parseIntegerOption('customers', options.customers, 1, 200_000),
        seed: options.seed,
        months: parseIntegerOption('months', options.months, 1, 60),
        endAt: options.end ? parseDateOption('end', options.end) : startOfTodayUtc(),
        showProgress: !options.json,
      });
      if (options.json) return printJson({ org: result.org, store: result.store, summary: result.summary });
      const { demoSummaryLines } = await import('../../demo/demo-summary.ts');
      const months = parseIntegerOption('months', options.months, 1, 60);
      const context = { orgName: result.org.name, location: result.store.location, months, names: result.names };
      process.stdout.write(`${demoSummaryLines(result.summary, context).join('\n')}\n`);
      process.stdout.write('Try: `leash customers`, `leash invoices --overdue`, `leash customer "Acme Corp"`.\n');
    });
}
