/** `leash connect stripe`, `leash connect status`, `leash disconnect stripe`: a billing provider, by its owner. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PERMISSIONS_NEEDED } from '../../connectors/stripe/restricted-key.ts';
import { LeashError } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, showDate } from '../output.ts';

interface ConnectOptions {
  key?: string;
  keyStdin?: boolean;
  webhookSecret?: string;
  as?: string;
  json?: boolean;
}

function keyFrom(options: ConnectOptions): string {
  if (options.keyStdin) return readFileSync(0, 'utf8').trim();
  const key = options.key ?? process.env.LEASH_STRIPE_KEY;
  if (!key)
    throw new LeashError('bad_input', 'give the restricted key: LEASH_STRIPE_KEY, --key-stdin, or --key rk_…', {
      field: 'key',
    });
  return key;
}

/** Registers `leash connect` and `leash disconnect`. */
export function registerConnectCommands(program: Command): void {
  const connect = program.command('connect').description('Connect a billing provider (Stripe) with a restricted key.');
  connect
    .command('stripe')
    .description('Connect Stripe with a restricted key (rk_live_… or rk_test_…); connecting again rotates the key.')
    .option('--key <rk>', 'the restricted key (visible in your shell history: prefer LEASH_STRIPE_KEY or --key-stdin)')
    .option('--key-stdin', 'read the key from standard input')
    .option(
      '--webhook-secret <whsec>',
      'the signing secret of your Stripe webhook endpoint (or LEASH_STRIPE_WEBHOOK_SECRET); stored sealed like the key',
    )
    .option('--as <email>', 'the owner connecting (or LEASH_USER)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Secret keys (sk_…) and publishable keys (pk_…) are refused. Leash checks the key with cheap calls before it
stores anything, and names any permission it lacks. Create the restricted key with:
${PERMISSIONS_NEEDED.map((need) => `  ${need}`).join('\n')}

The key is stored encrypted (AES-256-GCM) under the master key — LEASH_MASTER_KEY, or a random key in the data
directory's master-key file readable only by you — and is never printed, logged, returned or shown to a model;
only its last four characters are. LEASH_STRIPE_API_BASE points Leash at a Stripe-compatible server (stripe-mock).

Connecting stores the key; \`leash sync stripe\` then mirrors the account, and from its first complete sync the
org's operations, insights and the agent work on Stripe (the embedded ledger stays as it was). Webhooks: add an
endpoint in Stripe pointing at <your Leash URL>/webhooks/stripe (several orgs: /webhooks/stripe/<org id>) and
give Leash its signing secret with --webhook-secret.

Examples:
  $ LEASH_STRIPE_KEY=rk_test_… leash connect stripe --as olivia@northwind.test
  $ pbpaste | leash connect stripe --key-stdin --as olivia@northwind.test
  $ LEASH_STRIPE_KEY=rk_live_… leash connect stripe --webhook-secret whsec_… --as olivia@northwind.test`,
    )
    .action(async (options: ConnectOptions) => {
      const key = keyFrom(options);
      // The Stripe SDK loads only for these commands.
      const { connectStripe } = await import('../../operations/integrations.ts');
      const { loadMasterKey } = await import('../../secrets/secret-box.ts');
      const { resolveActor, withSession } = await import('../session.ts');
      const result = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        const webhookSecret = options.webhookSecret ?? process.env.LEASH_STRIPE_WEBHOOK_SECRET;
        return connectStripe(session.store.db, {
          member,
          key,
          masterKey: loadMasterKey(),
          ...(webhookSecret ? { webhookSecret } : {}),
        });
      });
      if (options.json) return printJson(result);
      const { integration } = result;
      process.stdout.write(
        `${result.rotated ? 'Rotated the Stripe key' : 'Connected Stripe'} (${integration.mode} mode, key ${integration.keyHint}). Permissions checked: ${result.report.granted.join(', ')}.\n${result.rotated ? '' : 'Next: `leash sync stripe` mirrors the account; operations move to Stripe when it finishes.\n'}`,
      );
    });
  connect
    .command('status')
    .description('Which provider is connected, in which mode, with which permissions (never the key).')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const { stripeIntegration } = await import('../../operations/integrations.ts');
      const { resolveActor, withSession } = await import('../session.ts');
      const integration = await withSession(async (session) => {
        await resolveActor(session, options.as, 'read');
        return stripeIntegration(session.store.db, session.org.id);
      });
      if (options.json) return printJson(integration);
      if (integration.status !== 'connected') {
        process.stdout.write(
          `Stripe: ${integration.status.replace('_', ' ')}${integration.disconnectedAt ? ` (since ${showDate(integration.disconnectedAt)})` : ''}. Billing runs on the embedded ledger.\n`,
        );
        return;
      }
      process.stdout.write(
        `Stripe: connected in ${integration.mode} mode, key ${integration.keyHint}, since ${showDate(integration.connectedAt)}${integration.rotatedAt ? `, rotated ${showDate(integration.rotatedAt)}` : ''}.\nPermissions: ${integration.permissions.join(', ')}.\nBilling runs on ${integration.billing === 'stripe' ? `the Stripe mirror (last synced ${showDate(integration.lastSyncedAt)})` : 'the embedded ledger until `leash sync stripe` finishes'}.\n`,
      );
    });

  program
    .command('disconnect')
    .description('Disconnect a billing provider: the stored key is erased.')
    .argument('<provider>', 'stripe')
    .option('--as <email>', 'the owner disconnecting (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (provider: string, options: { as?: string; json?: boolean }) => {
      if (provider !== 'stripe')
        throw new LeashError('bad_input', `unknown provider "${provider}" (stripe)`, { field: 'provider' });
      const { disconnectStripe } = await import('../../operations/integrations.ts');
      const { resolveActor, withSession } = await import('../session.ts');
      const integration = await withSession(async (session) =>
        disconnectStripe(session.store.db, await resolveActor(session, options.as, 'write')),
      );
      if (options.json) return printJson(integration);
      process.stdout.write('Disconnected Stripe; the stored key is erased.\n');
    });
}
