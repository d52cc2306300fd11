/**
 * Reading an org's modes (domain/modes.ts) and the grant of one actor. No row means the default (`full`);
 * a row that does not validate, or a failed read, gives Insight only: modes fail closed.
 */
import type { Kysely, Transaction } from 'kysely';
import { getMember } from '../auth/members.ts';
import {
  DEFAULT_MODE_SETTINGS,
  type ModeGrant,
  type ModeSettings,
  modeSettingsSchema,
  resolveGrant,
} from '../domain/modes.ts';
import { ROLES } from '../domain/roles.ts';
import type { Actor } from '../policy/decide.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** The org's settings (the default when none are stored), or null when the stored ones cannot be read. */
export async function readModeSettings(db: Executor, orgId: string): Promise<ModeSettings | null> {
  try {
    const row = await db.selectFrom('orgPolicyModes').select('settings').where('orgId', '=', orgId).executeTakeFirst();
    if (!row) return DEFAULT_MODE_SETTINGS;
    const raw = typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings;
    const parsed = modeSettingsSchema.safeParse(raw);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The actor's grant, resolved from the org's settings (member override first, then role). */
export async function modeGrantOf(db: Executor, actor: Actor): Promise<ModeGrant> {
  return resolveGrant(await readModeSettings(db, actor.orgId), actor.memberId, actor.role);
}

/** Stores the org's settings (only set_policy_modes calls this, after the gate). */
export async function writeModeSettings(
  db: Executor,
  orgId: string,
  settings: ModeSettings,
  memberId: string,
): Promise<void> {
  const values = { orgId, settings: json(settings), updatedBy: memberId, updatedAt: new Date() };
  await db
    .insertInto('orgPolicyModes')
    .values(values)
    .onConflict((conflict) =>
      conflict
        .column('orgId')
        .doUpdateSet({ settings: values.settings, updatedBy: memberId, updatedAt: values.updatedAt }),
    )
    .execute();
}

/** What `policy mode show`, GET /api/policy/modes and the settings page show: roles × modes, members, limits. */
export interface ModesView {
  preset: string;
  /** False when the stored settings could not be read: everyone has Insight only until they are set again. */
  readable: boolean;
  roles: { role: string; modes: string[] }[];
  members: { email: string; modes: string[] }[];
  act: { kinds: string[] | null; creditLimit: { amount: number; currency: string } | null };
}

/** The org's modes as a view, members by email. */
export async function viewModes(db: Executor, orgId: string): Promise<ModesView> {
  const settings = await readModeSettings(db, orgId);
  const shown = settings ?? { preset: 'custom' as const, roles: {}, members: {}, act: {} };
  const members = await Promise.all(
    Object.entries(shown.members).map(async ([id, modes]) => ({
      email: (await getMember(db, orgId, id))?.email ?? id,
      modes: [...modes],
    })),
  );
  return {
    preset: shown.preset,
    readable: settings !== null,
    roles: ROLES.map((role) => ({ role, modes: [...(shown.roles[role] ?? ['insight'])] })),
    members,
    act: { kinds: shown.act.kinds ? [...shown.act.kinds] : null, creditLimit: shown.act.creditLimit ?? null },
  };
}
