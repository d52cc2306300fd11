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
import { stripeClient } from '../connectors/stripe/stripe-client.ts';
import { LeashError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { type MasterKey, openSecret, sealSecret } from '../secrets/secret-box.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

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
}

/** What `connectStripe` did. */
export interface ConnectResult {
  integration: IntegrationView;
  report: PermissionReport;
  rotated: boolean;
}

const PURPOSE = 'stripe.restricted_key';

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
  return {
    provider: 'stripe',
    status: row?.status ?? 'not_connected',
    mode: row?.mode ?? null,
    keyHint: row?.keyHint ?? null,
    permissions: row?.permissions ?? [],
    connectedAt: row?.connectedAt ?? null,
    rotatedAt: row?.rotatedAt ?? null,
    disconnectedAt: row?.disconnectedAt ?? null,
  };
}

/** Checks, probes and stores a restricted key for the owner's org (a second connect rotates the key). */
export async function connectStripe(
  db: Kysely<Database>,
  input: { member: Member; key: string; masterKey: MasterKey; env?: NodeJS.ProcessEnv },
): Promise<ConnectResult> {
  requireOwner(input.member);
  const key = input.key.trim();
  const mode = classifyStripeKey(key);
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
    .set({ status: 'disconnected', keySealed: null, disconnectedAt: now, updatedAt: now })
    .where('orgId', '=', member.orgId)
    .where('provider', '=', 'stripe')
    .execute();
  await audit(db, member, 'integration.disconnected', {
    provider: 'stripe',
    mode: current.mode,
    keyHint: current.keyHint,
  });
  return stripeIntegration(db, member.orgId);
}

/** A Stripe client with the org's stored key, for the connector (the key never leaves this call). */
export async function connectedStripeClient(
  db: Kysely<Database>,
  orgId: string,
  masterKey: MasterKey,
  env?: NodeJS.ProcessEnv,
): Promise<Stripe> {
  const row = await db
    .selectFrom('integrations')
    .select(['keySealed', 'status'])
    .where('orgId', '=', orgId)
    .where('provider', '=', 'stripe')
    .executeTakeFirst();
  if (row?.status !== 'connected' || !row.keySealed)
    throw new LeashError('not_found', 'Stripe is not connected: run `leash connect stripe`');
  return stripeClient(openSecret(masterKey, row.keySealed, { orgId, purpose: PURPOSE }), env);
}
