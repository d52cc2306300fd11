/**
 * Modes (issue 20, seed 001): an org turns Leash on in stages — Insight (read and export), then Act (tickets,
 * replies, credits, refunds, plan changes), then Integrate (catalogue and integrations). A mode gates action
 * kinds on top of roles: a kind outside the actor's enabled modes is a BLOCK whatever the role allows.
 * Team administration (identity.*, including the mode setting itself) is not subject to modes; roles govern it.
 * Pure: no I/O. Settings are stored per org (migration 0022) and resolved in operations/policy-modes.ts.
 */
import { z } from 'zod';
import { ROLES, type Role } from './roles.ts';

/** The three modes, in rollout order. */
export const MODES = ['insight', 'act', 'integrate'] as const;
/** A mode. */
export type Mode = (typeof MODES)[number];

/** The presets an owner picks from; `custom` is what a per-role or per-member edit leaves. */
export const MODE_PRESETS = ['insight-only', 'support-act', 'full', 'custom'] as const;
/** A preset name. */
export type ModePreset = (typeof MODE_PRESETS)[number];

/** The kinds of the Act mode. */
export const ACT_KINDS = [
  'support.case_update',
  'messaging.draft',
  'messaging.send',
  'money.refund',
  'money.credit',
  'billing.change',
  'billing.cancel',
  'messaging.broadcast',
] as const;
/** An Act kind. */
export type ActKind = (typeof ACT_KINDS)[number];

/** Which mode each kind belongs to; a kind not listed (identity.*) is not subject to modes. */
export const KIND_MODES: Readonly<Record<string, Mode>> = {
  'data.read': 'insight',
  'data.export': 'insight',
  ...Object.fromEntries(ACT_KINDS.map((kind) => [kind, 'act'])),
  'billing.configure': 'integrate',
  'integrations.connect': 'integrate',
  'messaging.webhook': 'integrate',
};

/** The mode a kind needs, or undefined when modes do not apply to it. */
export function modeOfKind(kind: string): Mode | undefined {
  return KIND_MODES[kind];
}

/** The Act kinds the support-act preset allows: replies, drafts, ticket updates and credits (no refunds). */
export const SUPPORT_ACT_KINDS: readonly ActKind[] = [
  'support.case_update',
  'messaging.draft',
  'messaging.send',
  'money.credit',
];

/** The support-act preset's default credit limit: $50. */
export const DEFAULT_CREDIT_LIMIT = { amount: 5000, currency: 'usd' } as const;

const modeList = z
  .array(z.enum(MODES))
  .max(MODES.length)
  .refine((modes) => modes.includes('insight'), { message: 'insight is always on: list it' })
  .refine((modes) => new Set(modes).size === modes.length, { message: 'a mode is listed twice' });

/** The stored settings, validated on read and on write. */
export const modeSettingsSchema = z
  .object({
    preset: z.enum(MODE_PRESETS),
    roles: z.partialRecord(z.enum(ROLES), modeList),
    members: z.record(z.string().min(1).max(100), modeList),
    act: z
      .object({
        kinds: z.array(z.enum(ACT_KINDS)).max(ACT_KINDS.length).optional(),
        creditLimit: z
          .object({
            amount: z.number().int().min(0).max(100_000_000),
            currency: z.string().regex(/^[a-z]{3}$/),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

/** An org's mode settings. */
export type ModeSettings = z.infer<typeof modeSettingsSchema>;

/** What one actor may do: the modes on for them and the Act limits of the org. */
export interface ModeGrant {
  modes: Mode[];
  preset: ModePreset;
  /** Where the modes came from, for messages ("for billing clerks", "for you"). */
  source: 'role' | 'member' | 'unreadable';
  actKinds?: ActKind[];
  creditLimit?: { amount: number; currency: string };
}

const everyRole = (modes: Mode[]) =>
  Object.fromEntries(ROLES.map((role) => [role, [...modes]])) as ModeSettings['roles'];

/** The settings a preset stands for; `creditLimit` overrides support-act's default limit. */
export function presetSettings(
  preset: Exclude<ModePreset, 'custom'>,
  creditLimit?: { amount: number; currency: string },
): ModeSettings {
  if (preset === 'insight-only') return { preset, roles: everyRole(['insight']), members: {}, act: {} };
  if (preset === 'support-act') {
    return {
      preset,
      roles: everyRole(['insight', 'act']),
      members: {},
      act: { kinds: [...SUPPORT_ACT_KINDS], creditLimit: creditLimit ?? { ...DEFAULT_CREDIT_LIMIT } },
    };
  }
  return { preset, roles: everyRole([...MODES]), members: {}, act: creditLimit ? { creditLimit } : {} };
}

/** The default for every org, new or existing: everything on (back-compatible). Docs recommend insight-only. */
export const DEFAULT_MODE_SETTINGS: ModeSettings = presetSettings('full');

/** Fail closed: what an actor gets when the org's settings cannot be read — Insight only. */
export const UNREADABLE_GRANT: ModeGrant = { modes: ['insight'], preset: 'custom', source: 'unreadable' };

/** The actor's grant: a member override first, then their role; a role not listed gets Insight only. */
export function resolveGrant(settings: ModeSettings | null, memberId: string, role: Role): ModeGrant {
  if (!settings) return UNREADABLE_GRANT;
  const own = settings.members[memberId];
  const modes = own ?? settings.roles[role] ?? ['insight'];
  return {
    modes: [...modes],
    preset: settings.preset,
    source: own ? 'member' : 'role',
    ...(settings.act.kinds ? { actKinds: [...settings.act.kinds] } : {}),
    ...(settings.act.creditLimit ? { creditLimit: { ...settings.act.creditLimit } } : {}),
  };
}

/** True when `after` turns something on that `before` had off (a mode, a kind, a higher or removed limit). */
export function widens(before: ModeSettings, after: ModeSettings): boolean {
  const more = (from: readonly string[] | undefined, to: readonly string[] | undefined) =>
    (to ?? []).some((mode) => !(from ?? []).includes(mode));
  if (ROLES.some((role) => more(before.roles[role] ?? ['insight'], after.roles[role] ?? ['insight']))) return true;
  for (const [member, modes] of Object.entries(after.members)) {
    if (more(before.members[member] ?? ['insight'], modes)) return true;
  }
  // Removing a member's override falls back to the role, which may be wider.
  for (const member of Object.keys(before.members)) if (!after.members[member]) return true;
  // The Act limits matter only while someone has Act on.
  const actOn = [...Object.values(after.roles), ...Object.values(after.members)].some((modes) =>
    modes?.includes('act'),
  );
  if (!actOn) return false;
  const kindsBefore = before.act.kinds;
  const kindsAfter = after.act.kinds;
  if (kindsBefore && (!kindsAfter || more(kindsBefore, kindsAfter))) return true;
  const limitBefore = before.act.creditLimit;
  const limitAfter = after.act.creditLimit;
  if (limitBefore && (!limitAfter || limitAfter.currency !== limitBefore.currency)) return true;
  return Boolean(limitBefore && limitAfter && limitAfter.amount > limitBefore.amount);
}

/** Human name of a mode ("Act"). */
export function modeName(mode: Mode): string {
  return mode.charAt(0).toUpperCase() + mode.slice(1);
}
