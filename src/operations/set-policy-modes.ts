/**
 * set_policy_modes: the owner turns Insight / Act / Integrate on or off, by preset, per role or per member
 * (issue 20, domain/modes.ts). Kind identity.role_change (owner-only in roles.cedar; modes do not apply to it).
 * The card shows every changed value before → after; under short-leash a change that turns anything on needs a
 * second person (a billing manager or another owner, policy/check-modes.ts), narrowing passes.
 */
import { z } from 'zod';
import { findMemberByEmail, getMember, normaliseEmail } from '../auth/members.ts';
import { notFound } from '../domain/errors.ts';
import {
  ACT_KINDS,
  MODE_PRESETS,
  MODES,
  type ModeSettings,
  modeSettingsSchema,
  presetSettings,
  widens,
} from '../domain/modes.ts';
import { formatMoney, isCurrency } from '../domain/money.ts';
import { ROLES } from '../domain/roles.ts';
import { defineWrite, type OperationContext } from './define-operation.ts';
import { readModeSettings, writeModeSettings } from './policy-modes.ts';
import { currencyCode, writeContextFields } from './write-fields.ts';

const modeList = z
  .array(z.enum(MODES))
  .min(1)
  .max(MODES.length)
  .refine((modes) => modes.includes('insight'), { message: 'insight is always on: list it' });

/** Input of set_policy_modes. */
export const setPolicyModesInput = z
  .object({
    preset: z
      .enum(MODE_PRESETS)
      .describe('insight-only, support-act or full; custom keeps the current settings and changes what is given'),
    roles: z
      .partialRecord(z.enum(ROLES), modeList)
      .optional()
      .describe('Modes per role, e.g. {"billing_clerk": ["insight", "act"]} (insight is always listed)'),
    members: z
      .record(z.email().max(320), modeList)
      .optional()
      .describe("Modes per member email, overriding their role's"),
    act_kinds: z
      .array(z.enum(ACT_KINDS))
      .max(ACT_KINDS.length)
      .optional()
      .describe('The Act kinds allowed (absent: all of them)'),
    credit_limit: z
      .object({ amount: z.number().int().min(0).max(100_000_000), currency: currencyCode })
      .strict()
      .optional()
      .describe('Largest credit Act mode allows: { amount in minor units, currency }'),
    ...writeContextFields,
  })
  .strict();

type SetPolicyModesInput = z.infer<typeof setPolicyModesInput>;

/** The settings the input asks for, on top of the preset (or of the current settings for `custom`). */
async function settingsAfter(
  context: OperationContext,
  input: SetPolicyModesInput,
  before: ModeSettings,
): Promise<ModeSettings> {
  const base: ModeSettings =
    input.preset === 'custom' ? structuredClone(before) : presetSettings(input.preset, input.credit_limit);
  const roles = { ...base.roles, ...(input.roles ?? {}) };
  const members = { ...base.members };
  for (const [email, modes] of Object.entries(input.members ?? {})) {
    const member = await findMemberByEmail(context.db, context.actor.orgId, normaliseEmail(email));
    if (!member) throw notFound('member', email);
    members[member.id] = modes;
  }
  const act = { ...base.act };
  if (input.act_kinds) act.kinds = input.act_kinds;
  if (input.credit_limit) act.creditLimit = input.credit_limit;
  const customised = input.roles !== undefined || input.act_kinds !== undefined;
  return modeSettingsSchema.parse({ preset: customised ? 'custom' : base.preset, roles, members, act });
}

/** One line per changed value, members by email. */
async function changeLines(context: OperationContext, before: ModeSettings, after: ModeSettings) {
  const lines: { field: string; from: unknown; to: unknown }[] = [];
  const push = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from ?? null) !== JSON.stringify(to ?? null))
      lines.push({ field, from: from ?? null, to: to ?? null });
  };
  push('preset', before.preset, after.preset);
  for (const role of ROLES) push(`${role} modes`, before.roles[role]?.join(', '), after.roles[role]?.join(', '));
  for (const id of new Set([...Object.keys(before.members), ...Object.keys(after.members)])) {
    const member = await getMember(context.db, context.actor.orgId, id);
    push(`${member?.email ?? id} modes`, before.members[id]?.join(', '), after.members[id]?.join(', '));
  }
  push('act kinds', before.act.kinds?.join(', ') ?? 'all', after.act.kinds?.join(', ') ?? 'all');
  const limit = (value: ModeSettings['act']['creditLimit']) =>
    !value
      ? 'none'
      : isCurrency(value.currency)
        ? formatMoney({ amount: value.amount, currency: value.currency })
        : `${value.amount} ${value.currency} (minor units)`;
  push('credit limit', limit(before.act.creditLimit), limit(after.act.creditLimit));
  return lines;
}

/** Changes the org's modes. */
export const setPolicyModes = defineWrite({
  name: 'set_policy_modes',
  description:
    'Turn Insight, Act and Integrate modes on or off for the org: a preset (insight-only, support-act, full), ' +
    'or per role / per member, with the Act kinds allowed and a credit limit. Owner only.',
  kind: 'identity.role_change',
  input: setPolicyModesInput,
  destructive: false,
  async facts(context, input) {
    const before = (await readModeSettings(context.db, context.actor.orgId)) ?? presetSettings('insight-only');
    const after = await settingsAfter(context, input, before);
    const widened = widens(before, after);
    const changes = await changeLines(context, before, after);
    return {
      decision: { customerIds: [], targetCount: 1, reversible: true, modeChange: { widens: widened } },
      preview: {
        summary: changes.length
          ? `Set the org's modes to ${after.preset}${widened ? ' (turns modes on)' : ''}`
          : `Keep the org's modes as they are (${after.preset})`,
        changes,
        money: null,
        customers: [],
        targets: ['modes'],
        reversible: true,
        details: { widens: widened },
      },
      subjects: {},
      bound: { before, after, requesterId: context.actor.memberId },
    };
  },
  async execute(_input, connector, _idempotencyKey, bound, executor) {
    const after = modeSettingsSchema.parse(bound.after);
    await writeModeSettings(executor, connector.orgId, after, String(bound.requesterId));
    return { preset: after.preset, settings: after };
  },
});
