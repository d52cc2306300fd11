/**
 * Connecting a billing provider. Not an operation on purpose: its input is a secret, and operation inputs are
 * kept in proposals and the audit log. Only an owner connects, rotates or disconnects; each is audited with the
 * mode, the key's last four characters and what it may do — never the key. A key is stored only after the probe
 * shows every permission Leash needs; otherwise nothing is stored and the report says exactly what is missing.
 */
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { Member } from '../auth/members.ts';
import { type PermissionReport, probePermissions } from '../connectors/stripe/probe-permissions.ts';
import { classifyStripeKey, keyHint, type StripeMode } from '../connectors/stripe/restricted-key.ts';
import { STRIPE_KEY_PURPOSE, STRIPE_WEBHOOK_SECRET_PURPOSE } from '../connectors/stripe/stored-key.ts';
import { stripeClient } from '../connectors/stripe/stripe-client.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { type MasterKey, sealSecret } from '../secrets/secret-box.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';
import { storedStripeAccess } from './stripe-access.ts';

/** A connection as every surface may show it (no key, not even sealed). */
export interface IntegrationView {
  provider: 'stripe';
  status: 'connected' | 'disconnected' | 'not_connected';
  mode: StripeMode | null;
  keyHint: string | null;
  permissions: string[];
  connectedAt: Date | null;
  rotatedAt: Date | null;
  disconnectedAt: Date | null;
  /** Whether a webhook signing secret is stored (never the secret). */
  webhooks: boolean;
  /** Which system the org's operations use now. */
  billing: 'ledger' | 'stripe';
  /** The last time the mirror caught up (backfill or events). */
  lastSyncedAt: Date | null;
}

/** What `connectStripe` did. */
export interface ConnectResult {
  integration: IntegrationView;
  report: PermissionReport;
  rotated: boolean;
}

const PURPOSE = STRIPE_KEY_PURPOSE;

function requireOwner(member: Member): void {
  if (member.role !== 'owner')
    throw new LeashError('forbidden', 'only an owner connects, rotates or disconnects a billing provider', {
      field: 'as',
    });
}

async function audit(
  db: Kysely<Database>,
  member: Member,
  event: 'integration.connected' | 'integration.disconnected',
  result: Record<string, unknown>,
): Promise<void> {
  await appendAuditEvent(db, {
    orgId: member.orgId,
    event,
    actorId: member.id,
    actorEmail: member.email,
    actorRole: member.role,
    channel: 'cli',
    requestId: newId('request'),
    result,
  });
}

/** The org's Stripe connection, as surfaces may show it. */
export async function stripeIntegration(db: Kysely<Database>, orgId: string): Promise<IntegrationView> {
  const row = await db
    .selectFrom('integrations')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('provider', '=', 'stripe')
    .executeTakeFirst();
  const org = await db.selectFrom('orgs').select('billing').where('id', '=', orgId).executeTakeFirst();
  const sync = await db
    .selectFrom('stripeSync')
    .select(['backfillFinishedAt', 'eventsSyncedAt'])
    .where('orgId', '=', orgId)
    .executeTakeFirst();
  const synced = [sync?.backfillFinishedAt, sync?.eventsSyncedAt].filter((at): at is Date => Boolean(at));
  return {
    provider: 'stripe',
    status: row?.status ?? 'not_connected',
    mode: row?.mode ?? null,
    keyHint: row?.keyHint ?? null,
    permissions: row?.permissions ?? [],
    connectedAt: row?.connectedAt ?? null,
    rotatedAt: row?.rotatedAt ?? null,
    disconnectedAt: row?.disconnectedAt ?? null,
    webhooks: Boolean(row?.webhookSecretSealed),
    billing: org?.billing ?? 'ledger',
    lastSyncedAt: synced.length ? new Date(Math.max(...synced.map((at) => new Date(at).getTime()))) : null,
  };
}

/** Checks, probes and stores a restricted key for the owner's org (a second connect rotates the key). */
export async function connectStripe(
  db: Kysely<Database>,
  input: { member: Member; key: string; masterKey: MasterKey; webhookSecret?: string; env?: NodeJS.ProcessEnv },
): Promise<ConnectResult> {
  requireOwner(input.member);
  const key = input.key.trim();
  const mode = classifyStripeKey(key);
  const webhookSecret = input.webhookSecret?.trim();
  if (webhookSecret !== undefined && !/^whsec_[A-Za-z0-9]{8,}$/.test(webhookSecret))
    throw new LeashError(
      'bad_input',
      'a webhook signing secret starts with whsec_ (Stripe dashboard → Developers → Webhooks → your endpoint → Signing secret)',
      { field: 'webhookSecret' },
    );
  const report = await probePermissions(stripeClient(key, input.env));
  if (report.missing.length > 0)
    throw new LeashError(
      'bad_input',
      `the key is missing ${report.missing.length} permission(s) Leash needs: ${report.missing
        .map((item) => `${item.need}${item.stripePermission ? ` (${item.stripePermission})` : ''}`)
        .join(', ')}; edit the restricted key in the Stripe dashboard and connect again. Nothing was stored.`,
      { field: 'key', missing: report.missing },
    );
  const orgId = input.member.orgId;
  const now = new Date();
  const sealed = sealSecret(input.masterKey, key, { orgId, purpose: PURPOSE });
  const previous = await stripeIntegration(db, orgId);
  const rotated = previous.status === 'connected';
  const connection = {
    status: 'connected' as const,
    mode,
    keySealed: sealed,
    keyHint: keyHint(key),
    permissions: json(report.granted),
    connectedBy: input.member.id,
    disconnectedAt: null,
    updatedAt: now,
    ...(webhookSecret
      ? {
          webhookSecretSealed: sealSecret(input.masterKey, webhookSecret, {
            orgId,
            purpose: STRIPE_WEBHOOK_SECRET_PURPOSE,
          }),
        }
      : {}),
  };
  await db
    .insertInto('integrations')
    .values({ id: newId('integration'), orgId, provider: 'stripe', ...connection, connectedAt: now, rotatedAt: null })
    .onConflict((conflict) =>
      conflict
        .columns(['orgId', 'provider'])
        .doUpdateSet({ ...connection, ...(rotated ? { rotatedAt: now } : { connectedAt: now, rotatedAt: null }) }),
    )
    .execute();
  await audit(db, input.member, 'integration.connected', {
    provider: 'stripe',
    mode,
    keyHint: keyHint(key),
    permissions: report.granted,
    rotated,
    webhookSecret: webhookSecret ? 'set' : 'unchanged',
  });
  return { integration: await stripeIntegration(db, orgId), report, rotated };
}

/** Forgets the key (the sealed value is erased, not just marked). */
export async function disconnectStripe(db: Kysely<Database>, member: Member): Promise<IntegrationView> {
  requireOwner(member);
  const current = await stripeIntegration(db, member.orgId);
  if (current.status !== 'connected')
    throw new LeashError('not_found', 'Stripe is not connected', { field: 'provider' });
  const now = new Date();
  await db
    .updateTable('integrations')
    .set({ status: 'disconnected', keySealed: null, webhookSecretSealed: null, disconnectedAt: now, updatedAt: now })
    .where('orgId', '=', member.orgId)
    .where('provider', '=', 'stripe')
    .execute();
  // Operations go back to the embedded ledger; the mirror stays until the next connect and sync replace it.
  await db.updateTable('orgs').set({ billing: 'ledger' }).where('id', '=', member.orgId).execute();
  await audit(db, member, 'integration.disconnected', {
    provider: 'stripe',
    mode: current.mode,
    keyHint: current.keyHint,
  });
  return stripeIntegration(db, member.orgId);
}

/** A Stripe client with the org's stored key (the key never leaves this call). */
export async function connectedStripeClient(
  db: Kysely<Database>,
  orgId: string,
  masterKey: MasterKey,
  env?: NodeJS.ProcessEnv,
): Promise<Stripe> {
  return (await storedStripeAccess(() => masterKey, env)(db, orgId)).stripe;
}
