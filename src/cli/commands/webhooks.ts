/**
 * `leash webhooks`: Leash's own outbound webhooks on the ledger. `endpoints` lists the org's endpoints,
 * `deliveries` lists deliveries (by endpoint and state), `redeliver <delivery>` puts a dead or delivered one back
 * (owner and billing managers; audited), `deliver` makes the due attempts now (the server's worker does it every
 * minute). Endpoints are created with `leash run create_webhook_endpoint` through the gate, like every write.
 */
import type { Command } from 'commander';
import { LeashError } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDateTime } from '../output.ts';

const STATES = ['pending', 'delivered', 'dead'] as const;

function checkedState(value: string | undefined): (typeof STATES)[number] | undefined {
  if (value === undefined) return undefined;
  if (!(STATES as readonly string[]).includes(value))
    throw new LeashError('bad_input', `--state must be one of ${STATES.join(', ')}`, { field: 'state' });
  return value as (typeof STATES)[number];
}

function checkedId(value: string | undefined, prefix: string, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!new RegExp(`^${prefix}_[A-Za-z0-9]{1,64}$`).test(value))
    throw new LeashError('bad_input', `${field} must look like ${prefix}_…`, { field });
  return value;
}

async function openAs<Result>(
  as: string | undefined,
  purpose: 'read' | 'write',
  work: (parts: { context: import('../../operations/define-operation.ts').OperationContext }) => Promise<Result>,
): Promise<Result> {
  const [{ resolveActor, withSession }, { operationContext }] = await Promise.all([
    import('../session.ts'),
    import('../operation-context.ts'),
  ]);
  return withSession(async (session) => {
    const member = await resolveActor(session, as, purpose);
    return work({ context: operationContext(session, member, session.gate) });
  });
}

/** Registers `leash webhooks`. */
export function registerWebhooksCommand(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description("Leash's outbound webhooks: endpoints, deliveries, redelivery.")
    .addHelpText(
      'after',
      `
Create an endpoint through the gate (https, a public address; the signing secret is shown once):
  $ leash run create_webhook_endpoint --input '{"url":"https://example.com/hooks","events":["subscription.created"]}'
Events: subscription.created/updated/canceled, invoice.finalized/paid/payment_failed, refund.created,
customer.updated. Deliveries are signed per Standard Webhooks and retried with exponential backoff
(LEASH_WEBHOOK_MAX_ATTEMPTS, default 8; LEASH_WEBHOOK_BACKOFF_SECONDS, default 30), then dead-lettered.
LEASH_WEBHOOKS_ALLOW_PRIVATE=1 (development only) allows http and loopback/private addresses.`,
    );

  webhooks
    .command('endpoints')
    .description("List the org's webhook endpoints (never their secrets).")
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const { listEndpoints } = await import('../../webhooks/endpoints.ts');
      const endpoints = await openAs(options.as, 'read', ({ context }) =>
        listEndpoints(context.db, context.actor.orgId),
      );
      if (options.json) return printJson({ endpoints });
      printTable(
        ['endpoint', 'url', 'events', 'state', 'created'],
        endpoints.map((endpoint) => [
          endpoint.id,
          endpoint.url,
          endpoint.events.join(', '),
          endpoint.disabled ? 'paused' : 'active',
          showDateTime(endpoint.createdAt),
        ]),
        'no webhook endpoints yet',
      );
    });

  webhooks
    .command('deliveries')
    .description('List webhook deliveries, newest first.')
    .option('--endpoint <id>', 'only this endpoint (we_…)')
    .option('--state <state>', `only this state: ${STATES.join(', ')}`)
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { endpoint?: string; state?: string; as?: string; json?: boolean }) => {
      const filter = {
        endpointId: checkedId(options.endpoint, 'we', '--endpoint'),
        state: checkedState(options.state),
      };
      const { deliveriesFor } = await import('../../webhooks/manage.ts');
      const deliveries = await openAs(options.as, 'read', ({ context }) => deliveriesFor(context, filter));
      if (options.json) return printJson({ deliveries });
      printTable(
        ['delivery', 'event', 'url', 'state', 'attempts', 'last status', 'next attempt', 'last error'],
        deliveries.map((delivery) => [
          delivery.id,
          delivery.eventType,
          delivery.url,
          delivery.state,
          String(delivery.attempts),
          delivery.lastStatus === null ? '' : String(delivery.lastStatus),
          showDateTime(delivery.nextAttemptAt),
          delivery.lastError ?? '',
        ]),
        'no deliveries yet',
      );
    });

  webhooks
    .command('redeliver <delivery>')
    .description('Send a dead or delivered delivery again (owner and billing managers; audited).')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (delivery: string, options: { as?: string; json?: boolean }) => {
      const id = checkedId(delivery, 'whd', 'delivery') ?? delivery;
      const { redeliverAsMember } = await import('../../webhooks/manage.ts');
      const view = await openAs(options.as, 'write', ({ context }) => redeliverAsMember(context, id));
      if (options.json) return printJson({ delivery: view });
      process.stdout.write(`Delivery ${view.id} (${view.eventType} → ${view.url}) is queued again.\n`);
    });

  webhooks
    .command('deliver')
    .description('Make the due delivery attempts now (the server does this every minute).')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const { deliverDue } = await import('../../webhooks/deliver.ts');
      const report = await openAs(options.as, 'read', ({ context }) => deliverDue(context.db, context.actor.orgId));
      if (options.json) return printJson(report);
      process.stdout.write(
        `Delivered ${report.delivered.length}; ${report.retrying.length} will be retried; ${report.dead.length} dead-lettered.\n`,
      );
    });
}
