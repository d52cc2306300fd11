/** change_member_role: give a member another role (kind identity.role_change); it applies on their next action. */
import { z } from 'zod';
import { findMemberByEmail, normaliseEmail, changeMemberRole as updateRole } from '../auth/members.ts';
import { LeashError, notFound } from '../domain/errors.ts';
import { APPROVER_GROUPS, ROLES } from '../domain/roles.ts';
import { defineWrite } from './define-operation.ts';
import { writeContextFields } from './write-fields.ts';

/** Input of change_member_role. */
export const changeMemberRoleInput = z
  .object({
    email: z.email().max(320),
    role: z.enum(ROLES.filter((role) => role !== 'owner') as [string, ...string[]]),
    groups: z.array(z.enum(APPROVER_GROUPS)).max(4).optional(),
    ...writeContextFields,
  })
  .strict();

/** Changes a member's role (and optionally their approver groups). */
export const changeMemberRole = defineWrite({
  name: 'change_member_role',
  description:
    "Change a member's role (billing_manager, billing_clerk, read_only) and optionally their approver groups.",
  kind: 'identity.role_change',
  input: changeMemberRoleInput,
  destructive: false,
  async facts(context, input) {
    const email = normaliseEmail(input.email);
    const member = await findMemberByEmail(context.db, context.actor.orgId, email);
    if (!member) throw notFound('member', email);
    if (member.role === 'owner')
      throw new LeashError('invalid_state', 'the owner role cannot be changed by a role change');
    return {
      decision: { customerIds: [], targetCount: 1, reversible: true },
      preview: {
        summary: `Make ${email} ${input.role}${input.groups ? ` in ${input.groups.join(', ') || 'no groups'}` : ''}`,
        changes: [
          { field: `${email} role`, from: member.role, to: input.role },
          ...(input.groups ? [{ field: `${email} groups`, from: member.groups, to: input.groups }] : []),
        ],
        money: null,
        customers: [],
        targets: [email],
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: { memberId: member.id, email, fromRole: member.role, role: input.role, groups: input.groups ?? null },
    };
  },
  async execute(_input, connector, _idempotencyKey, bound, executor) {
    return updateRole(
      executor,
      connector.orgId,
      String(bound.email),
      String(bound.role),
      (bound.groups as string[] | null) ?? undefined,
    );
  },
});
