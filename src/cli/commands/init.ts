/** `leash init`: create the org and its owner in an empty store. */
import type { Command } from 'commander';
import { LeashError } from '../../domain/errors.ts';
import { printJson } from '../output.ts';

/** Registers `leash init`. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('Create your org and its owner in an empty data directory (or database).')
    .option('--owner <email>', "the owner's email", 'owner@example.com')
    .option('--org <name>', 'the company name', 'My Company')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The org runs the profile rules.yaml names as default_profile (policies/, or LEASH_POLICY_DIR); a missing or
broken policy creates nothing (exit 2).

Example:
  $ leash init --owner founder@acme.test --org "Acme SaaS"`,
    )
    .action(async (options: { owner: string; org: string; json?: boolean }) => {
      const [{ createOrg, listOrgs }, { openStore }, { loadLocalGate }, { defaultProfileOf }] = await Promise.all([
        import('../../auth/members.ts'),
        import('../../store/db.ts'),
        import('../session.ts'),
        import('../../policy/load-gate.ts'),
      ]);
      // The new org runs the rules file's default_profile; a broken policy refuses before anything is created.
      const policyProfile = defaultProfileOf(await loadLocalGate());
      const store = await openStore();
      try {
        const existing = await listOrgs(store.db);
        if (existing.length > 0) {
          throw new LeashError('conflict', `${store.location} already holds the org "${existing[0]?.name}"`);
        }
        const { org, owner } = await createOrg(store.db, {
          name: options.org,
          ownerEmail: options.owner,
          policyProfile,
        });
        if (options.json) return printJson({ org, owner, store: { kind: store.kind, location: store.location } });
        process.stdout.write(
          `Created ${org.name} (${org.id}) with owner ${owner.email} in ${store.location} (policy profile ${org.policyProfile}).\n`,
        );
        process.stdout.write(
          'Next: `leash users add EMAIL --role billing_clerk` or `leash demo` on a fresh data directory.\n',
        );
      } finally {
        await store.close();
      }
    });
}
