/**
 * The team over HTTP: members (add = invite, role changes) through the gate like any write, and API keys.
 * Adding a member is the requester's own action: a PASS executes at once and emails the invite (a magic link
 * valid 48 hours, single use); a WARN waits for approval, after which the new member signs in by email.
 */
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.ts';
import { findMemberByEmail, listMembers } from '../../auth/members.ts';
import { createMagicLink } from '../../auth/sessions.ts';
import { addMemberInput } from '../../operations/add-member.ts';
import { changeMemberRoleInput } from '../../operations/change-member-role.ts';
import type { OperationContext } from '../../operations/define-operation.ts';
import { confirmProposal, proposeOperation } from '../../operations/run-operation.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import { deliverSignInLink } from './auth.ts';
import type { TypedApp } from './types.ts';

async function proposeAndConfirm(context: OperationContext, operation: string, input: unknown) {
  const proposal = await proposeOperation(context, operation, input);
  if (proposal.decision.outcome !== 'pass') return { proposal, execution: null };
  return { proposal, execution: await confirmProposal(context, proposal.id) };
}

/** Registers the member and key routes. */
export function registerMemberRoutes(app: TypedApp, deps: ServerDeps): void {
  const writeLimit = writeRateLimit(deps);

  app.get(
    '/api/members',
    { schema: { tags: ['members'], summary: 'Members with their role and approver groups' } },
    async (request) =>
      asCaller(deps, request, async ({ org }) => ({
        members: (await listMembers(deps.store.db, org.id)).map(({ id, email, name, role, groups, createdAt }) => ({
          id,
          email,
          name,
          role,
          groups,
          created_at: createdAt,
        })),
      })),
  );

  app.post(
    '/api/members',
    {
      config: writeLimit,
      schema: {
        tags: ['members'],
        summary: 'Invite a member (add_member through the gate); on PASS the invite link is emailed',
        body: addMemberInput,
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request, reply) =>
      asCaller(deps, request, async ({ context, member: inviter, org }) => {
        const { proposal, execution } = await proposeAndConfirm(context, 'add_member', request.body);
        let invite: { delivery: 'sent' | 'logged'; expires_at: string } | null = null;
        if (execution?.status === 'succeeded') {
          const email = (request.body as { email: string }).email;
          const added = await findMemberByEmail(deps.store.db, org.id, email.trim().toLowerCase());
          if (added) {
            const link = await createMagicLink(deps.store.db, added, 'invite', inviter);
            const delivery = await deliverSignInLink(deps, request.log, added, link.token, 'invite');
            invite = { delivery, expires_at: link.expiresAt.toISOString() };
          }
        }
        return reply.status(201).send({ proposal, execution, invite });
      }),
  );

  app.patch(
    '/api/members/:email',
    {
      config: writeLimit,
      schema: {
        tags: ['members'],
        summary: "Change a member's role (change_member_role through the gate); it applies to their next request",
        params: z.object({ email: z.string().max(320) }),
        body: changeMemberRoleInput.omit({ email: true }),
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) =>
        proposeAndConfirm(context, 'change_member_role', {
          ...(request.body as Record<string, unknown>),
          email: request.params.email,
        }),
      ),
  );

  app.get(
    '/api/keys',
    { schema: { tags: ['members'], summary: 'API keys (yours; all of them for the owner), never the key itself' } },
    async (request) =>
      asCaller(deps, request, async ({ member }) => ({ keys: await listApiKeys(deps.store.db, member) })),
  );

  app.post(
    '/api/keys',
    {
      config: writeLimit,
      schema: {
        tags: ['members'],
        summary: 'Create an API key acting as you (your role at each use); the key is shown once',
        body: z.object({ name: z.string().min(1).max(100) }).strict(),
      },
    },
    async (request, reply) =>
      asCaller(deps, request, async ({ member }) =>
        reply.status(201).send(await createApiKey(deps.store.db, member, request.body.name, 'http')),
      ),
  );

  app.delete(
    '/api/keys/:id',
    {
      config: writeLimit,
      schema: {
        tags: ['members'],
        summary: 'Revoke an API key (yours, or any as the owner)',
        params: z.object({ id: z.string().regex(/^key_[A-Za-z0-9]+$/, 'a key id like key_…') }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ member }) => {
        await revokeApiKey(deps.store.db, member, request.params.id, 'http');
        return { revoked: true };
      }),
  );
}
