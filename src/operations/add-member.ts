/** add_member: invite a member with one role and approver groups (kind identity.user_create). */
import { z } from 'zod';
import { findMemberByEmail, addMember as insertMember, normaliseEmail, parseGroups } from '../auth/members.ts';
import { LeashError } from '../domain/errors.ts';
import { APPROVER_GROUPS, ROLES } from '../domain/roles.ts';
import { defineWrite } from './define-operation.ts';
import { writeContextFields } from './write-fields.ts';

/** Input of add_member. */
export const addMemberInput = z
  .object({
    email: z.email().max(320),
    role: z.enum(ROLES.filter((role) => role !== 'owner') as [string, ...string[]]),
    groups: z.array(z.enum(APPROVER_GROUPS)).max(4).default([]),
    name: z.string().max(200).optional(),
    ...writeContextFields,
  })
  .strict();

/** Adds a member to the org. */
export const addMember = defineWrite({
  name: 'add_member',
  description: 'Add a member with one role (billing_manager, billing_clerk, read_only) and optional approver groups.',
  kind: 'identity.user_create',
  input: addMemberInput,
  destructive: false,
  async facts(context, input) {
    const email = normaliseEmail(input.email);
    if (await findMemberByEmail(context.db, context.actor.orgId, email))
      throw new LeashError('conflict', `${email} is already a member`);
    const groups = parseGroups(input.groups);
    return {
      decision: { customerIds: [], targetCount: 1, reversible: true },
      preview: {
        summary: `Add ${email} as ${input.role}${groups.length ? ` in ${groups.join(', ')}` : ''}`,
        changes: [{ field: 'member', from: null, to: `${email} (${input.role})` }],
        money: null,
        customers: [],
        targets: [email],
        reversible: true,
        details: {},
      },
      subjects: {},
      bound: { email, role: input.role, groups },
    };
  },
  async execute(input, connector, _idempotencyKey, bound, executor) {
    return insertMember(executor, connector.orgId, {
      email: String(bound.email),
      role: String(bound.role),
      groups: bound.groups as string[],
      name: input.name,
    });
  },
});
